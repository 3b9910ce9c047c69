// SPDX-License-Identifier: MIT
/*
 * What naming costs, through the sandbox and in this process: every STEP-th
 * byte of a binary's .text named as 'sear report --inline --srcline' names
 * an address (symbols, then DWARF inline chains and lines), in batches as
 * the session asks (symbolizer__prefetch()), and one address at a time.
 *
 *   bench-names FILE [STEP]     (STEP: 16 by default)
 *
 * Prints the addresses named per second in each mode. Run by bench/sandbox.sh.
 */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/profile.h"
#include "symbolizer/symbolizer.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* The file offsets of .text. */
static int text_range(const char *path, uint64_t *off, uint64_t *size)
{
	int fd = open(path, O_RDONLY);
	Elf *elf;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstr;
	int ret = -1;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && !elf_getshdrstrndx(elf, &shstr))
		while ((scn = elf_nextscn(elf, scn)))
			if (gelf_getshdr(scn, &sh) &&
			    !strcmp(elf_strptr(elf, shstr, sh.sh_name) ?: "", ".text")) {
				*off = sh.sh_offset;
				*size = sh.sh_size;
				ret = 0;
			}
	elf_end(elf);
	close(fd);
	return ret;
}

/* Names n addresses of path; returns the seconds it took. */
static double run(const char *path, const struct frame *f0, size_t n, bool sandbox, bool batch,
		  size_t *frames)
{
	struct symbolizer_opts o = {
		.inline_frames = true, .srcline = true, .offline = true, .no_sandbox = !sandbox
	};
	struct symbolizer *sym = symbolizer__new(&o);
	struct sym_frame out[64];
	struct frame *f = malloc(n * sizeof(*f));
	double start;
	uint32_t id;
	size_t i;

	if (!sym || !f)
		exit(1);
	id = symbolizer__file(sym, getpid(), path, 0, 0, 0, 0, 0);
	for (i = 0; i < n; i++)
		f[i] = (struct frame){ .addr = f0[i].addr, .dso = id };
	/* The symbols are read first, as a recording reads them while it runs. */
	symbolizer__symbolize(sym, id, f[0].addr, out, 64);
	start = now();
	if (batch)
		symbolizer__prefetch(sym, f, n);
	*frames = 0;
	for (i = 0; i < n; i++)
		*frames += symbolizer__symbolize(sym, id, f[i].addr, out, 64);
	start = now() - start;
	symbolizer__free(sym);
	free(f);
	return start;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		bool sandbox, batch;
	} modes[] = {
		{ "in this process", false, false },
		{ "sandbox, batched", true, true },
		{ "sandbox, one at a time", true, false },
	};
	uint64_t off = 0, size = 0, step = argc > 2 ? strtoull(argv[2], NULL, 0) : 16;
	struct frame *f;
	size_t n, i, m, frames;

	char *path =
	    argc > 1 ? realpath(argv[1], NULL) : NULL; /* the symbolizer takes absolute paths */

	if (!path || text_range(path, &off, &size) || !step) {
		fprintf(stderr, "usage: bench-names FILE [STEP]: FILE must have a .text\n");
		return 1;
	}
	n = size / step;
	f = malloc(n * sizeof(*f));
	if (!f)
		return 1;
	for (i = 0; i < n; i++)
		f[i] = (struct frame){ .addr = off + i * step };
	printf("%s: %zu addresses (every %llu bytes of .text)\n", path, n,
	       (unsigned long long)step);
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		double secs = run(path, f, n, modes[m].sandbox, modes[m].batch, &frames);

		printf("  %-24s %8.0f addresses/s  (%.2f s, %zu frames)\n", modes[m].name, n / secs,
		       secs, frames);
	}
	free(f);
	free(path);
	return 0;
}
