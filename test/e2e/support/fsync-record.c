/*
 * fsync-record: an LD_PRELOAD library for the power-cut test (test/e2e/power-cut.spec.ts).
 *
 * It changes nothing the program does. Each time a file is flushed to disk (fsync,
 * fdatasync), it appends one line to the file named by FSYNC_RECORD_LOG: the file's path and
 * its size at that moment, tab-separated. After the program is killed, the test cuts every
 * append-only file (LevelDB's write-ahead log and manifest) back to the size it last had on a
 * flush: what a power cut may take away is exactly what was written and never flushed.
 *
 * Built by the test with the system's C compiler: cc -shared -fPIC -o fsync-record.so fsync-record.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void record(int fd) {
  const char *log = getenv("FSYNC_RECORD_LOG");
  if (!log || fd < 0) return;
  char link[64];
  char path[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return;
  path[n] = '\0';
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
  char line[PATH_MAX + 32];
  int len = snprintf(line, sizeof line, "%s\t%lld\n", path, (long long)st.st_size);
  if (len <= 0 || len >= (int)sizeof line) return;
  /* one write of the whole line with O_APPEND: lines from several processes do not interleave */
  int out = (int)syscall(SYS_openat, AT_FDCWD, log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (out < 0) return;
  (void)!syscall(SYS_write, out, line, (size_t)len);
  syscall(SYS_close, out);
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  int r = real(fd);
  if (r == 0) record(fd);
  return r;
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  int r = real(fd);
  if (r == 0) record(fd);
  return r;
}
