/* SPDX-License-Identifier: Apache-2.0 */
/* Heap for newlib's malloc (printf's stdout buffer): the linker script's
 * fixed .heap section, so running out is an error instead of the heap
 * silently growing into the stack. Replaces the weak _sbrk of librdimon. */
#include <errno.h>
#include <stddef.h>

extern char __heap_start[], __heap_end[];

void *_sbrk(ptrdiff_t incr)
{
    static char *brk = __heap_start;

    if (incr > __heap_end - brk || incr < __heap_start - brk) {
        errno = ENOMEM;
        return (void *)-1;
    }
    char *old = brk;
    brk += incr;
    return old;
}
