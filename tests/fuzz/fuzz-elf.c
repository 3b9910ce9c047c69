// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stddef.h>
#include <sys/mman.h>
#include <unistd.h>

#include "symbolizer/dwarf.h"
#include "symbolizer/symtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct symtab *t = symtab__new_elf_mem(data, size, SYMTAB_UNWIND);
	uint64_t vaddr;

	if (t) {
		if (!symtab__file_to_vaddr(t, 0x1000, &vaddr))
			symtab__lookup(t, vaddr, NULL);
		symtab__free(t);
	}
	/* The DWARF reader takes a file: give it one in memory. */
	if (t || size > 4) {
		int fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
		struct dbginfo *d;
		struct dwarf_frame f[8];
		struct debuglink l;

		if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
			if (fd >= 0)
				close(fd);
			return 0;
		}
		debuglink__read(fd, &l);
		d = dbginfo__open_fd(fd);
		if (d) {
			for (vaddr = 0x1000; vaddr < 0x1100; vaddr += 0x10)
				dbginfo__lookup(d, vaddr, f, 8);
			dbginfo__free(d);
		}
	}
	return 0;
}
