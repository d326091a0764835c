/* SPDX-License-Identifier: Apache-2.0 */
/* newlib's system calls for a board whose console is board_putc: stdout
 * and stderr go to it, there are no files and no input. (_exit is the
 * board's, _sbrk is sbrk.c's.) The QEMU board uses librdimon's instead. */
#include <errno.h>
#include <sys/stat.h>

#include "board.h"

int _write(int fd, const char *buf, int len)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    for (int i = 0; i < len; i++)
        board_putc(buf[i]);
    return len;
}

int _read(int fd, char *buf, int len)
{
    (void)fd, (void)buf, (void)len;
    return 0;  /* end of file */
}

int _close(int fd)
{
    (void)fd;
    errno = EBADF;
    return -1;
}

int _fstat(int fd, struct stat *st)
{
    (void)fd;
    st->st_mode = S_IFCHR;  /* a terminal: stdio line-buffers it */
    return 0;
}

int _isatty(int fd)
{
    (void)fd;
    return 1;
}

int _lseek(int fd, int offset, int whence)
{
    (void)fd, (void)offset, (void)whence;
    errno = ESPIPE;
    return -1;
}

int _kill(int pid, int sig)
{
    (void)pid, (void)sig;
    errno = EINVAL;
    return -1;
}

int _getpid(void) { return 1; }
