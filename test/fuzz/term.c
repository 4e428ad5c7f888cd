/* libFuzzer target: the desk's terminal surface (ds_term: the output
 * filter, libvterm's screen layer built from source, and the drawing of
 * its rows with the font) given what a program or a VM guest prints, cut
 * anywhere, with resizes, renders and keys between the pieces, as telly
 * view does. A hang is a finding (-timeout).
 *
 * Input: two bytes of size, then operations: a byte saying what, and
 * for output a length byte and that many bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ds_int.h"

static struct ds_font *font;
static pixman_image_t *img;

/* fontconfig keeps its configuration for the life of the process. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

static void answers(void *ctx, const char *bytes, size_t n)
{
	(void)ctx, (void)bytes, (void)n;
}

static void render(struct ds_term *t, bool all)
{
	pixman_region32_t damage;

	pixman_region32_init(&damage);
	ds_term_render(t, img, 0, 0, all, true, &damage);
	pixman_region32_fini(&damage);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	char err[256];

	font = ds_font_create("monospace", 12, err, sizeof err);
	img = pixman_image_create_bits(PIXMAN_x8r8g8b8, 1024, 768, NULL, 0);
	if (!font || !img)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct ds_term *t;
	char row[4096];
	int rows, cols;

	if (n < 2)
		return 0;
	rows = 1 + p[0] % 25;
	cols = 1 + p[1] % 90;
	p += 2, n -= 2;
	t = ds_term_create(font, rows, cols, answers, NULL);
	if (!t)
		return 0;
	while (n) {
		uint8_t op = *p++;
		n--;
		switch (op % 16) {
		case 12:
			if (n >= 2) {
				rows = 1 + p[0] % 25;
				cols = 1 + p[1] % 90;
				ds_term_resize(t, rows, cols);
				p += 2, n -= 2;
			}
			break;
		case 13:
			render(t, op & 0x10);
			break;
		case 14:
			for (int y = 0; y < rows; y++)
				ds_term_row_text(t, y, row, sizeof row);
			break;
		case 15:
			if (n >= 1) {
				ds_term_key(t, 0xff00u | p[0], op >> 4, p[0] >= 0x20 ? p[0] : 0);
				p++, n--;
			}
			break;
		default: {
			size_t k = n ? (size_t)*p + 1 : 0;
			if (n) {
				p++, n--;
			}
			if (k > n)
				k = n;
			ds_term_write(t, p, k);
			p += k, n -= k;
		}
		}
	}
	render(t, true);
	ds_term_destroy(t);
	return 0;
}
