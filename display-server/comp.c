/* The compositor: one image per window (decoration and terminal drawn
 * into it when they change), damage in screen coordinates, and a repaint
 * that copies to the framebuffer only damage ∩ window − the windows above
 * it, bottom to top, as weston's pixman renderer does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_int.h"

#define BG_RGB 0x2e3436u
#define FOCUS_RGB 0x3465a4u
#define UNFOCUS_RGB 0x555753u
#define TITLE_TEXT_RGB 0xffffffu
#define TERM_BG_RGB 0x1c1c1cu

struct surface {
	uint32_t id;
	char title[DS_TITLE_MAX_BYTES + 1];
	struct ds_term *term;
	struct ds_xsurf *x; /* an X window's pixels (xsurf.c), or NULL */
	char notice[DS_TITLE_MAX_BYTES + 1]; /* said in its client area instead ("": none) */
	pixman_region32_t *shape; /* x's bounding shape (its pixels); NULL: all of it */
	bool overlay;	    /* unframed, not winmgr's: above the rest, at box */
	pixman_image_t *img;
	struct wm_box box;
	int stack; /* index in the stack at the last sync, -1 before */
	bool focused, full;
};

struct ds_comp {
	struct ds_backend *b;
	struct ds_font *font;
	struct surface s[WM_MAX_WINDOWS];
	unsigned n;
	int title_h, border;
	pixman_region32_t damage;
	int cur_x, cur_y;
	bool soft_cursor;
	pixman_image_t *cursor, *arrow;
	int cursor_w, cursor_h, hot_x, hot_y;
};

static const char *const arrow[] = {
	"X           ", "XX          ", "XoX         ", "XooX        ", "XoooX       ",
	"XooooX      ", "XoooooX     ", "XooooooX    ", "XoooooooX   ", "XooooooooX  ",
	"XoooooXXXXX ", "XooXooX     ", "XoX XooX    ", "XX  XooX    ", "X    XooX   ",
	"     XooX   ", "      XX    ",
};
#define ARROW_W 12
#define ARROW_H ((int)(sizeof arrow / sizeof arrow[0]))

static pixman_image_t *make_cursor(void)
{
	pixman_image_t *img = pixman_image_create_bits(PIXMAN_a8r8g8b8, ARROW_W, ARROW_H, NULL, 0);
	uint32_t *px;
	int stride;

	if (!img)
		return NULL;
	px = pixman_image_get_data(img);
	stride = pixman_image_get_stride(img) / 4;
	for (int y = 0; y < ARROW_H; y++)
		for (int x = 0; x < ARROW_W; x++)
			px[y * stride + x] = arrow[y][x] == 'X'   ? 0xff000000u
					     : arrow[y][x] == 'o' ? 0xffffffffu
								  : 0;
	return img;
}

struct ds_comp *ds_comp_create(struct ds_backend *b, struct ds_font *f)
{
	struct ds_comp *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->b = b;
	c->font = f;
	c->soft_cursor = b->soft_cursor;
	c->cur_x = b->w / 2;
	c->cur_y = b->h / 2;
	pixman_region32_init_rect(&c->damage, 0, 0, (unsigned)b->w, (unsigned)b->h);
	if (c->soft_cursor && !(c->cursor = c->arrow = make_cursor())) {
		pixman_region32_fini(&c->damage);
		free(c);
		return NULL;
	}
	if (c->cursor)
		pixman_image_ref(c->arrow);
	c->cursor_w = ARROW_W;
	c->cursor_h = ARROW_H;
	return c;
}

pixman_region32_t *ds_region_dup(const pixman_region32_t *region)
{
	pixman_region32_t *r = malloc(sizeof *r);

	if (r) {
		pixman_region32_init(r);
		if (!pixman_region32_copy(r, (pixman_region32_t *)region)) {
			pixman_region32_fini(r);
			free(r);
			return NULL;
		}
	}
	return r;
}

void ds_region_free(pixman_region32_t *r)
{
	if (r)
		pixman_region32_fini(r);
	free(r);
}

void ds_comp_destroy(struct ds_comp *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->n; i++) {
		if (c->s[i].img)
			pixman_image_unref(c->s[i].img);
		ds_region_free(c->s[i].shape);
	}
	if (c->cursor)
		pixman_image_unref(c->cursor);
	if (c->arrow)
		pixman_image_unref(c->arrow);
	pixman_region32_fini(&c->damage);
	free(c);
}

static struct surface *find(struct ds_comp *c, uint32_t id)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->s[i].id == id)
			return &c->s[i];
	return NULL;
}

static void damage_box(struct ds_comp *c, const struct wm_box *b)
{
	if (b->w > 0 && b->h > 0)
		pixman_region32_union_rect(&c->damage, &c->damage, b->x, b->y, (unsigned)b->w,
					   (unsigned)b->h);
}

static void damage_cursor(struct ds_comp *c)
{
	pixman_region32_union_rect(&c->damage, &c->damage, c->cur_x - c->hot_x,
				   c->cur_y - c->hot_y, (unsigned)c->cursor_w, (unsigned)c->cursor_h);
}

int ds_comp_add_x(struct ds_comp *c, uint32_t id, const char *title, struct ds_xsurf *x,
		  bool framed)
{
	int r = ds_comp_add(c, id, title, NULL);
	struct surface *s = find(c, id);

	if (r < 0)
		return r;
	s->x = x;
	s->overlay = !framed;
	if (s->overlay) {
		ds_xsurf_size(x, &s->box.w, &s->box.h);
		s->box.x = s->box.y = -s->box.h - s->box.w; /* placed later */
	}
	return 0;
}

void ds_comp_place(struct ds_comp *c, uint32_t id, int x, int y)
{
	struct surface *s = find(c, id);
	int w, h;

	if (!s || !s->overlay)
		return;
	ds_xsurf_size(s->x, &w, &h);
	damage_box(c, &s->box);
	s->box = (struct wm_box){x, y, w, h};
	damage_box(c, &s->box);
	/* The last placed is on top: the end of the list. */
	struct surface t = *s;
	memmove(s, s + 1, (size_t)(&c->s[c->n - 1] - s) * sizeof *s);
	c->s[c->n - 1] = t;
}

int ds_comp_add(struct ds_comp *c, uint32_t id, const char *title, struct ds_term *term)
{
	struct surface *s;

	if (find(c, id))
		return -EEXIST;
	if (c->n == WM_MAX_WINDOWS)
		return -ENOSPC;
	s = &c->s[c->n++];
	memset(s, 0, sizeof *s);
	s->id = id;
	ds_title_clean(title, strlen(title), s->title, sizeof s->title);
	s->term = term;
	s->stack = -1;
	return 0;
}

void ds_comp_remove(struct ds_comp *c, uint32_t id)
{
	struct surface *s = find(c, id);

	if (!s)
		return;
	damage_box(c, &s->box);
	if (s->img)
		pixman_image_unref(s->img);
	ds_region_free(s->shape);
	/* Kept in order: overlays stack by it. */
	memmove(s, s + 1, (size_t)(&c->s[c->n - 1] - s) * sizeof *s);
	c->n--;
}

void ds_comp_set_title(struct ds_comp *c, uint32_t id, const char *title)
{
	struct surface *s = find(c, id);
	char t[sizeof s->title];

	if (!s)
		return;
	ds_title_clean(title, strlen(title), t, sizeof t);
	if (!strcmp(t, s->title))
		return;
	memcpy(s->title, t, sizeof t);
	s->full = true;
}

void ds_comp_set_notice(struct ds_comp *c, uint32_t id, const char *text)
{
	struct surface *s = find(c, id);
	char t[sizeof s->notice];

	if (!s || !s->x)
		return;
	ds_title_clean(text ? text : "", text ? strlen(text) : 0, t, sizeof t);
	if (!strcmp(t, s->notice))
		return;
	memcpy(s->notice, t, sizeof t);
	s->full = true;
}

void ds_comp_sync(struct ds_comp *c, const struct wm *wm)
{
	c->title_h = wm->cfg.title_h;
	c->border = wm->cfg.border;
	for (unsigned i = 0; i < wm->n; i++) {
		const struct wm_window *w = &wm->win[i];
		struct surface *s = find(c, w->id);
		bool focused = w->id == wm->focus;
		if (!s)
			continue;
		if (memcmp(&s->box, &w->box, sizeof s->box)) {
			damage_box(c, &s->box);
			if (s->box.w != w->box.w || s->box.h != w->box.h) {
				if (s->img)
					pixman_image_unref(s->img);
				s->img = pixman_image_create_bits(PIXMAN_x8r8g8b8, w->box.w, w->box.h,
								  NULL, 0);
				s->full = true;
			}
			s->box = w->box;
			damage_box(c, &s->box);
		}
		if (s->focused != focused) {
			s->focused = focused;
			s->full = true;
		}
		if (s->stack != (int)i) {
			s->stack = (int)i;
			damage_box(c, &s->box);
		}
	}
}

void ds_comp_cursor(struct ds_comp *c, int x, int y)
{
	if (!c->soft_cursor || (x == c->cur_x && y == c->cur_y))
		return;
	damage_cursor(c);
	c->cur_x = x;
	c->cur_y = y;
	damage_cursor(c);
}

int ds_comp_cursor_shape(struct ds_comp *c, const uint32_t *argb, int w, int h, int xhot,
			 int yhot)
{
	pixman_image_t *img;

	if (!c->soft_cursor)
		return 0;
	if (argb) {
		if (w < 1 || h < 1 || w > 1024 || h > 1024)
			return -EINVAL;
		img = pixman_image_create_bits(PIXMAN_a8r8g8b8, w, h, NULL, w * 4);
		if (!img)
			return -ENOMEM;
		memcpy(pixman_image_get_data(img), argb, (size_t)w * (size_t)h * 4);
	} else {
		if (c->cursor == c->arrow)
			return 0;
		img = pixman_image_ref(c->arrow);
		w = ARROW_W;
		h = ARROW_H;
		xhot = yhot = 0;
	}
	damage_cursor(c);
	pixman_image_unref(c->cursor);
	c->cursor = img;
	c->cursor_w = w;
	c->cursor_h = h;
	c->hot_x = xhot;
	c->hot_y = yhot;
	damage_cursor(c);
	return 0;
}

void ds_comp_reset(struct ds_comp *c)
{
	pixman_region32_union_rect(&c->damage, &c->damage, 0, 0, (unsigned)c->b->w,
				   (unsigned)c->b->h);
}

void ds_comp_grid(const struct ds_comp *c, const struct wm *wm, const struct wm_box *outer,
		  int *rows, int *cols)
{
	struct wm_box in = wm_client_box(wm, outer);
	int cw, ch;

	ds_font_cell(c->font, &cw, &ch);
	*rows = in.h / ch > 1 ? in.h / ch : 1;
	*cols = in.w / cw > 1 ? in.w / cw : 1;
}

bool ds_comp_dirty(const struct ds_comp *c)
{
	if (pixman_region32_not_empty((pixman_region32_t *)&c->damage))
		return true;
	for (unsigned i = 0; i < c->n; i++)
		if (c->s[i].full || (c->s[i].term && ds_term_dirty(c->s[i].term)) ||
		    (c->s[i].x && ds_xsurf_dirty(c->s[i].x)))
			return true;
	return false;
}

static void draw_decoration(struct ds_comp *c, struct surface *s);

/* An X window: its decoration when it changed, and the tiles of its
 * picture that changed, as damage where they show. */
static void draw_x(struct ds_comp *c, struct surface *s)
{
	int cx = s->overlay ? 0 : c->border, cy = s->overlay ? 0 : c->border + c->title_h;
	int cw = s->box.w - 2 * cx, ch = s->box.h - cx - cy;
	pixman_region32_t d;

	if (s->overlay) {
		int w, h;
		ds_xsurf_size(s->x, &w, &h);
		if (w != s->box.w || h != s->box.h) {
			damage_box(c, &s->box);
			s->box.w = cw = w;
			s->box.h = ch = h;
			s->full = true;
		}
	}
	pixman_region32_init(&d);
	ds_xsurf_take_damage(s->x, &d);
	if (s->full) {
		if (!s->overlay && s->img)
			draw_decoration(c, s);
		s->full = false;
		damage_box(c, &s->box);
	} else {
		pixman_region32_intersect_rect(&d, &d, 0, 0, (unsigned)(cw > 0 ? cw : 0),
					       (unsigned)(ch > 0 ? ch : 0));
		pixman_region32_translate(&d, s->box.x + cx, s->box.y + cy);
		pixman_region32_union(&c->damage, &c->damage, &d);
	}
	pixman_region32_fini(&d);
}

/* Bring a window's image up to date; damage what changed on screen. */
static void draw_surface(struct ds_comp *c, struct surface *s)
{
	int bw = c->border, th = c->title_h, cx = bw, cy = bw + th;
	pixman_region32_t d;

	if (s->x) {
		draw_x(c, s);
		return;
	}
	if (!s->img)
		return;
	if (s->full) {
		draw_decoration(c, s);
		if (s->term)
			ds_term_render(s->term, s->img, cx, cy, true, s->focused, NULL);
		s->full = false;
		damage_box(c, &s->box);
		return;
	}
	if (!s->term || !ds_term_dirty(s->term))
		return;
	pixman_region32_init(&d);
	ds_term_render(s->term, s->img, cx, cy, false, s->focused, &d);
	/* Rows wider than a shrunk window are cut to it. */
	pixman_region32_intersect_rect(&d, &d, cx, cy, (unsigned)(s->box.w - 2 * bw),
				       (unsigned)(s->box.h - 2 * bw - th));
	pixman_region32_translate(&d, s->box.x, s->box.y);
	pixman_region32_union(&c->damage, &c->damage, &d);
	pixman_region32_fini(&d);
}

/* The frame, title and an empty client area of a window's image. */
static void draw_decoration(struct ds_comp *c, struct surface *s)
{
	int bw = c->border, th = c->title_h, cw, ch;

	ds_fill(s->img, s->focused ? FOCUS_RGB : UNFOCUS_RGB, 0, 0, s->box.w, s->box.h);
	ds_fill(s->img, s->x ? 0 : TERM_BG_RGB, bw, bw + th, s->box.w - 2 * bw,
		s->box.h - 2 * bw - th);
	ds_font_cell(c->font, &cw, &ch);
	ds_draw_text(c->font, s->img, bw + 4, bw + (th - ch) / 2, s->box.w - 2 * bw - 8, s->title,
		     TITLE_TEXT_RGB);
	if (s->x && s->notice[0]) /* (its pixels are not drawn over it) */
		ds_draw_text(c->font, s->img, bw + 4, bw + th + ch / 2, s->box.w - 2 * bw - 8,
			     s->notice, TITLE_TEXT_RGB);
}

int ds_comp_x_shape(struct ds_comp *c, uint32_t id, const pixman_region32_t *region)
{
	struct surface *s = find(c, id);
	pixman_region32_t *r = NULL;

	if (!s || !s->x)
		return -ENOENT;
	if (region && !(r = ds_region_dup(region)))
		return -ENOMEM;
	ds_region_free(s->shape);
	s->shape = r;
	damage_box(c, &s->box);
	return 0;
}

/* Where on the screen s is: its box, less what of its picture's place
 * its bounding shape cuts away (that shows what is below); whole while
 * a notice stands in its picture's place. */
static void covered(const struct ds_comp *c, const struct surface *s, pixman_region32_t *out)
{
	int cx = s->overlay ? 0 : c->border, cy = s->overlay ? 0 : c->border + c->title_h;
	int cw = s->box.w - 2 * cx, ch = s->box.h - cx - cy;
	pixman_region32_t cut, in;

	pixman_region32_init_rect(out, s->box.x, s->box.y, (unsigned)s->box.w, (unsigned)s->box.h);
	if (!s->shape || s->notice[0] || cw <= 0 || ch <= 0)
		return;
	pixman_region32_init_rect(&cut, s->box.x + cx, s->box.y + cy, (unsigned)cw, (unsigned)ch);
	pixman_region32_init(&in);
	pixman_region32_copy(&in, s->shape);
	pixman_region32_translate(&in, s->box.x + cx, s->box.y + cy);
	pixman_region32_subtract(&cut, &cut, &in);
	pixman_region32_subtract(out, out, &cut);
	pixman_region32_fini(&in);
	pixman_region32_fini(&cut);
}

/* What of r an X window's picture covers, drawn. */
static void composite_x(struct ds_comp *c, pixman_image_t *fb, struct surface *s,
			pixman_region32_t *r)
{
	int cx = s->overlay ? 0 : c->border, cy = s->overlay ? 0 : c->border + c->title_h;
	int w, h;
	pixman_region32_t in;

	if (s->notice[0] && s->overlay) {
		/* No frame to say it in: its place says it, as a framed
		 * one's client area does. */
		/* (begun where the screen shows it: a menu may start off it) */
		int tx = (s->box.x > 0 ? s->box.x : 0) + 4, ty = s->box.y > 0 ? s->box.y : 0;
		int tw = (s->box.x + s->box.w < c->b->w ? s->box.x + s->box.w : c->b->w) - tx - 4;
		ds_font_cell(c->font, &w, &h);
		pixman_image_set_clip_region32(fb, r);
		ds_fill(fb, 0, s->box.x, s->box.y, s->box.w, s->box.h);
		ds_draw_text(c->font, fb, tx, ty + h / 2, tw, s->notice, TITLE_TEXT_RGB);
	}
	if (s->notice[0])
		return; /* the decoration's client area says why it has none */
	ds_xsurf_size(s->x, &w, &h);
	if (w > s->box.w - 2 * cx)
		w = s->box.w - 2 * cx;
	if (h > s->box.h - cx - cy)
		h = s->box.h - cx - cy;
	if (w <= 0 || h <= 0)
		return;
	pixman_region32_init(&in);
	pixman_region32_intersect_rect(&in, r, s->box.x + cx, s->box.y + cy, (unsigned)w,
				       (unsigned)h);
	if (pixman_region32_not_empty(&in)) {
		pixman_image_set_clip_region32(fb, &in);
		pixman_image_composite32(PIXMAN_OP_SRC, ds_xsurf_image(s->x), NULL, fb, 0, 0, 0, 0,
					 s->box.x + cx, s->box.y + cy, w, h);
	}
	pixman_region32_fini(&in);
}

long ds_comp_repaint(struct ds_comp *c, const struct wm *wm)
{
	struct surface *order[WM_MAX_WINDOWS];
	unsigned no = 0;
	pixman_image_t *fb = c->b->impl->framebuffer(c->b);
	pixman_region32_t screen, r, bg;
	const pixman_box32_t *boxes;
	long pixels = 0;
	int nb;

	for (unsigned i = 0; i < c->n; i++)
		draw_surface(c, &c->s[i]);
	pixman_region32_init_rect(&screen, 0, 0, (unsigned)c->b->w, (unsigned)c->b->h);
	pixman_region32_intersect(&c->damage, &c->damage, &screen);
	pixman_region32_fini(&screen);
	if (!pixman_region32_not_empty(&c->damage) || !fb)
		return 0;
	pixman_region32_init(&r);
	pixman_region32_init(&bg);
	pixman_region32_copy(&bg, &c->damage);
	/* winmgr's windows bottom to top, then the unframed ones. */
	for (unsigned i = 0; i < wm->n; i++) {
		struct surface *s = find(c, wm->win[i].id);
		if (s && s->img)
			order[no++] = s;
	}
	for (unsigned i = 0; i < c->n && no < WM_MAX_WINDOWS; i++)
		if (c->s[i].overlay)
			order[no++] = &c->s[i];
	/* Bottom to top: what of the damage this window shows. */
	for (unsigned i = 0; i < no; i++) {
		struct surface *s = order[i];
		if (s->box.w <= 0 || s->box.h <= 0)
			continue;
		pixman_region32_t here;
		covered(c, s, &here);
		pixman_region32_intersect(&r, &c->damage, &here);
		pixman_region32_fini(&here);
		pixman_region32_subtract(&bg, &bg, &r);
		for (unsigned j = i + 1; j < no && pixman_region32_not_empty(&r); j++) {
			const struct wm_box *a = &order[j]->box;
			pixman_region32_t above;
			if (a->w <= 0 || a->h <= 0)
				continue;
			covered(c, order[j], &above);
			pixman_region32_subtract(&r, &r, &above);
			pixman_region32_fini(&above);
		}
		if (!pixman_region32_not_empty(&r))
			continue;
		if (s->img) {
			pixman_image_set_clip_region32(fb, &r);
			pixman_image_composite32(PIXMAN_OP_SRC, s->img, NULL, fb, 0, 0, 0, 0,
						 s->box.x, s->box.y, s->box.w, s->box.h);
		}
		if (s->x)
			composite_x(c, fb, s, &r);
	}
	pixman_image_set_clip_region32(fb, &bg);
	ds_fill(fb, BG_RGB, 0, 0, c->b->w, c->b->h);
	if (c->soft_cursor) {
		pixman_image_set_clip_region32(fb, &c->damage);
		pixman_image_composite32(PIXMAN_OP_OVER, c->cursor, NULL, fb, 0, 0, 0, 0,
					 c->cur_x - c->hot_x, c->cur_y - c->hot_y, c->cursor_w,
					 c->cursor_h);
	}
	pixman_image_set_clip_region32(fb, NULL);
	boxes = pixman_region32_rectangles(&c->damage, &nb);
	for (int i = 0; i < nb; i++)
		pixels += (long)(boxes[i].x2 - boxes[i].x1) * (boxes[i].y2 - boxes[i].y1);
	c->b->impl->present(c->b, &c->damage);
	pixman_region32_clear(&c->damage);
	pixman_region32_fini(&r);
	pixman_region32_fini(&bg);
	return pixels;
}

pixman_image_t *ds_comp_framebuffer(struct ds_comp *c)
{
	return c->b->impl->framebuffer(c->b);
}
