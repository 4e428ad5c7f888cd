/* The desk's keyboard layout for X sessions: keys travel to the host as
 * keycodes of this keymap (the host's display is given the same one), so
 * a German or French desk types what its keys say there, AltGr and dead
 * keys included. On an X desk it is the display's keymap; headless it is
 * the default xkbcommon makes from its rule names (XKB_DEFAULT_LAYOUT,
 * ...), and a script's keysyms are found in it as keycodes plus the
 * modifier keys that reach their level. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xkbcommon/xkbcommon.h>

#include "ds_int.h"

/* X keycodes are 8..255. */
#define KEYCODE_MAX 255

struct ds_keymap {
	struct xkb_context *ctx;
	struct xkb_keymap *km;
	char *text;
	size_t n;
};

struct ds_keymap *ds_keymap_create(struct ds_backend *b, char *err, size_t errn)
{
	struct ds_keymap *k = calloc(1, sizeof *k);

	if (!k) {
		snprintf(err, errn, "out of memory");
		return NULL;
	}
	if (b && b->keymap) {
		k->km = xkb_keymap_ref(b->keymap);
	} else {
		k->ctx = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
		if (k->ctx)
			k->km = xkb_keymap_new_from_names(k->ctx, NULL, XKB_KEYMAP_COMPILE_NO_FLAGS);
	}
	if (!k->km || !(k->text = xkb_keymap_get_as_string(k->km, XKB_KEYMAP_FORMAT_TEXT_V1))) {
		snprintf(err, errn, "cannot make a keyboard layout (xkbcommon)");
		ds_keymap_destroy(k);
		return NULL;
	}
	k->n = strlen(k->text);
	return k;
}

void ds_keymap_destroy(struct ds_keymap *k)
{
	if (!k)
		return;
	free(k->text);
	xkb_keymap_unref(k->km);
	xkb_context_unref(k->ctx);
	free(k);
}

const char *ds_keymap_text(const struct ds_keymap *k, size_t *n)
{
	*n = k->n;
	return k->text;
}

/* The first keycode whose level 0 of layout 0 is keysym; 0: none. */
static uint8_t plain_key(const struct ds_keymap *k, uint32_t keysym)
{
	xkb_keycode_t lo = xkb_keymap_min_keycode(k->km), hi = xkb_keymap_max_keycode(k->km);

	if (hi > KEYCODE_MAX)
		hi = KEYCODE_MAX;
	for (xkb_keycode_t kc = lo; kc <= hi; kc++) {
		const xkb_keysym_t *syms;
		int n = xkb_keymap_key_get_syms_by_level(k->km, kc, 0, 0, &syms);
		if (n == 1 && syms[0] == keysym)
			return (uint8_t)kc;
	}
	return 0;
}

/* The key that sets a modifier (by its xkb name), for a level's mask. */
static uint8_t modifier_key(const struct ds_keymap *k, const char *name)
{
	static const struct {
		const char *mod;
		uint32_t keysym;
	} keys[] = {
		{XKB_MOD_NAME_SHIFT, XKB_KEY_Shift_L}, {XKB_MOD_NAME_CTRL, XKB_KEY_Control_L},
		{XKB_MOD_NAME_ALT, XKB_KEY_Alt_L},     {XKB_MOD_NAME_LOGO, XKB_KEY_Super_L},
		{"Mod5", XKB_KEY_ISO_Level3_Shift},    {"LevelThree", XKB_KEY_ISO_Level3_Shift},
		{"Mod3", XKB_KEY_ISO_Level5_Shift},
	};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!strcmp(keys[i].mod, name))
			return plain_key(k, keys[i].keysym);
	return 0;
}

static int add(uint8_t *codes, int n, int max, uint8_t kc)
{
	for (int i = 0; i < n; i++)
		if (codes[i] == kc)
			return n;
	if (n < max)
		codes[n++] = kc;
	return n;
}

int ds_keymap_keys(const struct ds_keymap *k, uint32_t keysym, uint32_t mods, uint8_t *codes,
		   int max)
{
	xkb_keycode_t lo = xkb_keymap_min_keycode(k->km), hi = xkb_keymap_max_keycode(k->km);
	static const struct {
		uint32_t wm;
		uint32_t keysym;
	} held[] = {
		{WM_MOD_CTRL, XKB_KEY_Control_L}, {WM_MOD_ALT, XKB_KEY_Alt_L},
		{WM_MOD_SUPER, XKB_KEY_Super_L},  {WM_MOD_SHIFT, XKB_KEY_Shift_L},
	};
	int n = 0;

	if (hi > KEYCODE_MAX)
		hi = KEYCODE_MAX;
	/* The lowest level that types it (level 0 needs no modifier). */
	for (xkb_level_index_t lv = 0; lv < 4; lv++) {
		for (xkb_keycode_t kc = lo; kc <= hi; kc++) {
			const xkb_keysym_t *syms;
			xkb_mod_mask_t masks[4];
			size_t nm;
			if (xkb_keymap_key_get_syms_by_level(k->km, kc, 0, lv, &syms) != 1 ||
			    syms[0] != keysym)
				continue;
			nm = xkb_keymap_key_get_mods_for_level(k->km, kc, 0, lv, masks, 4);
			if (lv && !nm)
				continue;
			for (size_t i = 0; i < sizeof held / sizeof held[0]; i++)
				if (mods & held[i].wm) {
					uint8_t mk = plain_key(k, held[i].keysym);
					if (mk)
						n = add(codes, n, max, mk);
				}
			if (nm) {
				for (xkb_mod_index_t m = 0; m < xkb_keymap_num_mods(k->km); m++) {
					if (!(masks[0] & (1u << m)))
						continue;
					uint8_t mk = modifier_key(k, xkb_keymap_mod_get_name(k->km, m));
					if (!mk)
						goto next;
					n = add(codes, n, max, mk);
				}
			}
			return n < max ? add(codes, n, max, (uint8_t)kc) : 0;
		next:
			n = 0;
		}
	}
	return 0;
}

uint32_t ds_keymap_key_mod(const struct ds_keymap *k, uint8_t keycode)
{
	static const struct {
		uint32_t keysym, wm;
	} mods[] = {
		{XKB_KEY_Shift_L, WM_MOD_SHIFT},   {XKB_KEY_Shift_R, WM_MOD_SHIFT},
		{XKB_KEY_Control_L, WM_MOD_CTRL},  {XKB_KEY_Control_R, WM_MOD_CTRL},
		{XKB_KEY_Alt_L, WM_MOD_ALT},	   {XKB_KEY_Alt_R, WM_MOD_ALT},
		{XKB_KEY_Meta_L, WM_MOD_ALT},	   {XKB_KEY_Meta_R, WM_MOD_ALT},
		{XKB_KEY_Super_L, WM_MOD_SUPER},   {XKB_KEY_Super_R, WM_MOD_SUPER},
		{XKB_KEY_Hyper_L, WM_MOD_SUPER},   {XKB_KEY_Hyper_R, WM_MOD_SUPER},
	};
	const xkb_keysym_t *syms;

	if (xkb_keymap_key_get_syms_by_level(k->km, keycode, 0, 0, &syms) != 1)
		return 0;
	for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++)
		if (syms[0] == mods[i].keysym)
			return mods[i].wm;
	return 0;
}
