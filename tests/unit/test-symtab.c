// SPDX-License-Identifier: MIT
/* ELF symbol tables and kallsyms. */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lib/proc.h"
#include "symbolizer/symbolizer.h"
#include "symbolizer/symtab.h"

static const char *name_of(struct symbolizer *sym, uint32_t id, uint64_t addr,
			   enum frame_kind *kind)
{
	struct sym_frame f[4];

	assert_int_equal(symbolizer__symbolize(sym, id, addr, f, 4), 1);
	*kind = f[0].kind;
	return f[0].name;
}

static void test_kallsyms_golden(void **state)
{
	size_t len;
	char *text = golden_read("kallsyms/kallsyms.txt", &len);
	char *want = golden_read("kallsyms/lookups.txt", NULL), *line, *save;
	struct symtab *t = symtab__new_kallsyms_mem(text, len);
	int checked = 0;

	(void)state;
	assert_non_null(t);
	/* Text symbols only: startup_64 (alias _stext dropped), secondary_startup_64, verify_cpu,
	 * __x64_sys_read (its longer alias __ia32_sys_read dropped), arch_cpu_idle, ksys_read,
	 * _etext, 2 ext4, 2 nf_conntrack
	 */
	assert_int_equal(symtab__count(t), 11);
	for (line = strtok_r(want, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long addr;
		char name[128];
		const char *got;

		if (line[0] == '#' || sscanf(line, "%llx %127s", &addr, name) != 2)
			continue;
		got = symtab__lookup(t, addr, NULL);
		if (!strcmp(name, "-"))
			assert_null(got);
		else if (!got || strcmp(got, name))
			fail_msg("%llx: want %s, got %s", addr, name, got ? got : "(none)");
		checked++;
	}
	assert_int_equal(checked, 13);
	symtab__free(t);
	free(text);
	free(want);
}

static void test_kallsyms_hidden(void **state)
{
	/* kptr_restrict: every address reads as zero */
	static const char hidden[] = "0000000000000000 T _stext\n0000000000000000 t ksys_read\n";
	struct symtab *t = symtab__new_kallsyms_mem(hidden, sizeof(hidden) - 1);
	struct symbolizer *sym = symbolizer__new(NULL);
	enum frame_kind kind;
	int id;

	(void)state;
	assert_int_equal(symtab__count(t), 0);
	symtab__free(t);
	id = symbolizer__load_kernel(sym, hidden, sizeof(hidden) - 1);
	assert_true(id > 0);
	assert_string_equal(name_of(sym, id, 0xffffffff81000000ULL, &kind), "[kernel.kallsyms]");
	assert_int_equal(kind, FRAME_KERNEL);
	symbolizer__free(sym);
}

__attribute__((noinline)) int symtab_test_marker_one(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline)) int symtab_test_marker_two(int x)
{
	return symtab_test_marker_one(x) ^ 0x55;
}

/*
 * Aliases at one address, in an order the linker does not choose by: the
 * name users know wins every time, a global over a weak over a local, then
 * fewer leading underscores, then the shorter name.
 */
__attribute__((noinline)) int symtab_alias_target_long_name(int x)
{
	return x * 3 + 1;
}
int symtab_alias_g(int x) __attribute__((alias("symtab_alias_target_long_name")));
int __symtab_alias_u(int x) __attribute__((alias("symtab_alias_target_long_name")));
int symtab_alias_w(int x) __attribute__((weak, alias("symtab_alias_target_long_name")));
static int s_alias(int x) __attribute__((alias("symtab_alias_target_long_name"), used));

__attribute__((noinline)) static int symtab_local_target_long(int x)
{
	return x * 5 + 2;
}
static int l_al(int x) __attribute__((alias("symtab_local_target_long"), used));
static int __l(int x) __attribute__((alias("symtab_local_target_long"), used));

int symtab_call_locals(int x)
{
	return symtab_local_target_long(x) + s_alias(x) + l_al(x) + __l(x);
}

struct find_map {
	uintptr_t addr;
	struct proc_maps_entry found;
	int hits;
};

static int find_map_cb(void *ctx, const struct proc_maps_entry *e)
{
	struct find_map *fm = ctx;

	if (fm->addr >= e->start && fm->addr < e->end) {
		fm->found = *e;
		fm->hits++;
	}
	return 0;
}

/*
 * The path a sample takes: a runtime address, the mapping that holds it,
 * the file offset, the symbol. Run on this test's own binary, which is
 * built both as PIE and not.
 */
static void lookup_own(struct symtab *t, const char *maps, size_t len, void *fn, const char *want)
{
	struct find_map fm = { .addr = (uintptr_t)fn };
	uint64_t vaddr, off;
	const char *got;

	proc_maps__parse_mem(maps, len, find_map_cb, &fm);
	assert_int_equal(fm.hits, 1);
	assert_int_equal(
	    symtab__file_to_vaddr(t, fm.addr - fm.found.start + fm.found.pgoff, &vaddr), 0);
	got = symtab__lookup(t, vaddr + 1, &off);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(off, 1);
}

static void test_elf_self(void **state)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	FILE *f = fopen("/proc/self/maps", "r");
	char maps[1 << 16];
	size_t len;
	struct symtab *t;
	const uint8_t *id;

	(void)state;
	assert_true(fd >= 0 && f);
	len = fread(maps, 1, sizeof(maps), f);
	fclose(f);
	t = symtab__new_elf_fd(fd, SYMTAB_UNWIND);
	close(fd);
	assert_non_null(t);
	assert_true(symtab__count(t) > 10);
	assert_int_equal(symtab__build_id(t, &id), 20);
	lookup_own(t, maps, len, (void *)symtab_test_marker_one, "symtab_test_marker_one");
	lookup_own(t, maps, len, (void *)symtab_test_marker_two, "symtab_test_marker_two");
	lookup_own(t, maps, len, (void *)test_elf_self, "test_elf_self");
	/* globals: symtab_alias_g (shortest) over symtab_alias_target_long_name; no weak, local */
	lookup_own(t, maps, len, (void *)symtab_alias_g, "symtab_alias_g");
	/* locals only: fewer underscores, then shorter: l_al over __l and the long name */
	lookup_own(t, maps, len, (void *)symtab_local_target_long, "l_al");
	symtab__free(t);
}

/* The address of the function called name in the ELF file at path's .symtab, or 0. */
static uint64_t symtab_address(const char *path, const char *name)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *e;
	Elf_Scn *scn = NULL;
	uint64_t found = 0;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	while (!found && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;

			if (gelf_getsym(d, (int)i, &sym) && GELF_ST_TYPE(sym.st_info) == STT_FUNC &&
			    (n = elf_strptr(e, sh.sh_link, sym.st_name)) && !strcmp(n, name)) {
				found = sym.st_value;
				break;
			}
		}
	}
	elf_end(e);
	close(fd);
	return found;
}

/*
 * glibc's aliases, in the C library this test runs with and its debug
 * file (Debian's libc6-dbg, which tools/setup.sh installs): memcpy and
 * memmove's implementations share addresses, all local, and the shorter
 * name wins; writev (weak) wins over the local __writev and __GI___writev.
 * The same name every time, whatever order the file lists them in.
 */
static void test_glibc_aliases(void **state)
{
	static const char *const pairs[][2] = {
		{ "__memcpy_avx_unaligned_erms", "__memmove_avx_unaligned_erms" },
		{ "__memcpy_evex_unaligned_erms", "__memmove_evex_unaligned_erms" },
		{ "__memcpy_sse2_unaligned_erms", "__memmove_sse2_unaligned_erms" },
		{ "writev", "__writev" },
		{ "writev", "__GI___writev" },
	};
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], libc[256] = "", debug[128], hex[41];
	const uint8_t *id;
	struct symtab *t;
	size_t i, checked = 0;
	int fd;

	(void)state;
	assert_non_null(f);
	while (!libc[0] && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');

		if (p && strstr(p, "/libc.so.6\n"))
			snprintf(libc, sizeof(libc), "%.*s", (int)strcspn(p, "\n"), p);
	}
	fclose(f);
	assert_true(libc[0]);
	fd = open(libc, O_RDONLY | O_CLOEXEC);
	t = symtab__new_elf_fd(fd, 0);
	close(fd);
	assert_non_null(t);
	assert_int_equal(symtab__build_id(t, &id), 20);
	for (i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	symtab__free(t);
	snprintf(debug, sizeof(debug), "/usr/lib/debug/.build-id/%.2s/%s.debug", hex, hex + 2);
	if (access(debug, R_OK)) {
		fprintf(stderr, "no %s (libc6-dbg): skipped\n", debug);
		skip();
	}
	fd = open(debug, O_RDONLY | O_CLOEXEC);
	t = symtab__new_elf_fd(fd, 0);
	close(fd);
	assert_non_null(t);
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		uint64_t a = symtab_address(debug, pairs[i][0]), off;
		const char *got;

		if (!a || a != symtab_address(debug, pairs[i][1]))
			continue; /* not aliases in this glibc */
		got = symtab__lookup(t, a, &off);
		assert_non_null(got);
		assert_string_equal(got, pairs[i][0]);
		assert_int_equal(off, 0);
		checked++;
	}
	assert_true(checked >= 3); /* glibc 2.36 has all five */
	symtab__free(t);
}

static void test_elf_not_elf(void **state)
{
	static const char junk[] = "#!/bin/sh\necho not an elf\n";

	(void)state;
	assert_null(symtab__new_elf_mem(junk, sizeof(junk) - 1, 0));
	/* A truncated ELF header is refused too, not read past. */
	assert_null(symtab__new_elf_mem("\x7f"
					"ELF\x02\x01",
					6, 0));
}

static void test_symbolizer_labels(void **state)
{
	struct symbolizer *sym = symbolizer__new(NULL);
	enum frame_kind kind;
	uint32_t lib, anon;

	(void)state;
	lib = symbolizer__file(sym, getpid(), "/nonexistent/libfoo.so.1", 0, 0, 0, 0, 0);
	assert_true(lib > 0);
	/* the same file again: the same module */
	assert_int_equal(symbolizer__file(sym, getpid(), "/nonexistent/libfoo.so.1", 0, 0, 0, 0, 0),
			 lib);
	assert_string_equal(name_of(sym, lib, 0x1234, &kind), "[libfoo.so.1]");
	assert_int_equal(kind, FRAME_USER);
	anon = symbolizer__anon(sym, getpid());
	assert_string_equal(name_of(sym, anon, 0x1234, &kind), "[unknown]");
	assert_int_equal(kind, FRAME_JIT);
	assert_string_equal(name_of(sym, 0, 0x1234, &kind), "[unknown]");
	symbolizer__free(sym);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kallsyms_golden),	  cmocka_unit_test(test_kallsyms_hidden),
		cmocka_unit_test(test_elf_self),	  cmocka_unit_test(test_elf_not_elf),
		cmocka_unit_test(test_symbolizer_labels), cmocka_unit_test(test_glibc_aliases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
