/* libFuzzer target: the desk's terminal surface (ds_term: the output
 * filter, libvterm's screen layer built from source, and the drawing of
 * its rows with the font) given what a program or a VM guest prints, cut
 * anywhere, with resizes, renders and keys between the pieces, as telly
 * view does. A hang is a finding (-timeout).
 *
 * Input: vt_ops.h; 13 renders, 14 reads the rows, 15 a key (one more
 * byte). Renders and reads are capped per input: each walks every cell
 * (through libvterm's instrumented cell reads), and an input of them
 * was mostly that walk, found nothing a few do not, and cost the run
 * its executions. */
#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ds_int.h"
#include "vt_ops.h"

static locale_t utf8;
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

	/* Each terminal's output filter makes a C.UTF-8 locale; glibc
	 * loads its files anew unless one is alive, as in telly view,
	 * whose terminals hold theirs. */
	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	font = ds_font_create("monospace", 12, err, sizeof err);
	img = pixman_image_create_bits(PIXMAN_x8r8g8b8, 1024, 768, NULL, 0);
	if (!utf8 || !font || !img)
		abort();
	return 0;
}

/* Renders and reads of the rows per input (see above). */
#define FZ_WALKS_MAX 4

struct fz {
	struct ds_term *t;
	unsigned walks;
};

static void feed(void *z, const uint8_t *p, size_t n)
{
	ds_term_write(((struct fz *)z)->t, p, n);
}

static void resize(void *z, int rows, int cols)
{
	ds_term_resize(((struct fz *)z)->t, rows, cols);
}

static void other(void *z_, uint8_t op, int rows, const uint8_t **p, size_t *n)
{
	struct fz *z = z_;
	struct ds_term *t = z->t;
	char row[4096];

	if (op % 16 != 15 && z->walks++ >= FZ_WALKS_MAX)
		return;
	if (op % 16 == 13) {
		render(t, op & 0x10);
	} else if (op % 16 == 14) {
		for (int y = 0; y < rows; y++)
			ds_term_row_text(t, y, row, sizeof row);
	} else if (*n) {
		uint8_t k = **p;
		ds_term_key(t, 0xff00u | k, op >> 4, k >= 0x20 ? k : 0);
		(*p)++, (*n)--;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static const struct vt_fuzz_ops ops = {feed, resize, other};
	struct ds_term *t;
	int rows, cols;

	if (n < 2)
		return 0;
	vt_fuzz_size(p, &rows, &cols);
	t = ds_term_create(font, rows, cols, answers, NULL);
	if (!t)
		return 0;
	vt_fuzz_run(&(struct fz){t, 0}, &ops, rows, p + 2, n - 2);
	render(t, true);
	ds_term_destroy(t);
	return 0;
}
