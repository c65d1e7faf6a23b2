/*
 * unflushed-writes: an LD_PRELOAD library for the power-cut tests (test/support/power-cut.ts).
 *
 * It changes nothing the program does. It keeps a journal (the file named by
 * UNFLUSHED_JOURNAL) of the writes the program makes to files under UNFLUSHED_DIR: before each
 * write, the bytes the write is about to replace and the file's size; after each successful
 * flush of a file (fsync, fdatasync), a mark. After the program is killed, the test undoes,
 * newest first, every write made to a file after its last mark: what is written but never
 * flushed is exactly what a power cut may take away (the operating system still held it).
 *
 * Journal records (little-endian): 'W' u32 path_len, path, u64 offset, u64 length,
 * u64 old_size, u64 old_len, old bytes (old_len = the part of [offset, offset + length) below
 * old_size);
 * 'S' u32 path_len, path. One lock keeps a write and its record together across threads.
 *
 * Built by the tests with the system's C compiler (cc -shared -fPIC ... -ldl -lpthread).
 * Not journalled: renames, unlinks, mmap'd writes, O_DIRECT; the programs under test (LevelDB
 * in Chromium, PGlite in Node) write with write/pwrite and flush with fsync/fdatasync.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static ssize_t raw_write(int fd, const void *buf, size_t n) { return (ssize_t)syscall(SYS_write, fd, buf, n); }
static ssize_t raw_pread(int fd, void *buf, size_t n, off_t off) { return (ssize_t)syscall(SYS_pread64, fd, buf, n, off); }

/* the watched path of fd, or 0 when it is not a regular file under UNFLUSHED_DIR */
static int watched(int fd, char *path, struct stat *st) {
  const char *dir = getenv("UNFLUSHED_DIR");
  if (!dir || !getenv("UNFLUSHED_JOURNAL") || fd < 0) return 0;
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, PATH_MAX - 1);
  if (n <= 0) return 0;
  path[n] = '\0';
  size_t dl = strlen(dir);
  if (strncmp(path, dir, dl) != 0 || (path[dl] != '/' && path[dl] != '\0')) return 0;
  if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) return 0;
  return 1;
}

static void journal(const void *data, size_t n) {
  int out = (int)syscall(SYS_openat, AT_FDCWD, getenv("UNFLUSHED_JOURNAL"), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (out < 0) abort(); /* a journal that cannot be kept would make the test lie */
  const char *p = data;
  while (n > 0) {
    ssize_t w = raw_write(out, p, n);
    if (w <= 0) abort();
    p += w;
    n -= (size_t)w;
  }
  syscall(SYS_close, out);
}

/* journal what [offset, offset + length) of fd holds now, before it is overwritten */
static void before_write(int fd, uint64_t offset, uint64_t length, int from_end) {
  char path[PATH_MAX];
  struct stat st;
  if (!watched(fd, path, &st)) return;
  uint64_t size = (uint64_t)st.st_size;
  if (from_end) offset = size;
  uint64_t old_len = offset >= size ? 0 : (offset + length > size ? size - offset : length);
  uint32_t path_len = (uint32_t)strlen(path);
  size_t total = 1 + 4 + path_len + 8 + 8 + 8 + 8 + old_len;
  char *rec = malloc(total);
  if (!rec) abort();
  char *p = rec;
  *p++ = 'W';
  memcpy(p, &path_len, 4), p += 4;
  memcpy(p, path, path_len), p += path_len;
  memcpy(p, &offset, 8), p += 8;
  memcpy(p, &length, 8), p += 8;
  memcpy(p, &size, 8), p += 8;
  memcpy(p, &old_len, 8), p += 8;
  uint64_t got = 0;
  while (got < old_len) {
    ssize_t r = raw_pread(fd, p + got, old_len - got, (off_t)(offset + got));
    if (r <= 0) abort();
    got += (uint64_t)r;
  }
  journal(rec, total);
  free(rec);
}

static void after_flush(int fd) {
  char path[PATH_MAX];
  struct stat st;
  if (!watched(fd, path, &st)) return;
  uint32_t path_len = (uint32_t)strlen(path);
  char rec[1 + 4 + PATH_MAX];
  rec[0] = 'S';
  memcpy(rec + 1, &path_len, 4);
  memcpy(rec + 5, path, path_len);
  journal(rec, 5 + path_len);
}

#define REAL(name, ret, args) \
  static ret(*real_##name) args; \
  if (!real_##name) real_##name = (ret(*) args)dlsym(RTLD_NEXT, #name)

static off_t position(int fd, int *append) {
  int flags = fcntl(fd, F_GETFL);
  *append = flags >= 0 && (flags & O_APPEND);
  return lseek(fd, 0, SEEK_CUR);
}

ssize_t write(int fd, const void *buf, size_t n) {
  REAL(write, ssize_t, (int, const void *, size_t));
  if (!getenv("UNFLUSHED_DIR")) return real_write(fd, buf, n);
  pthread_mutex_lock(&lock);
  int append;
  off_t at = position(fd, &append);
  if (at >= 0 || append) before_write(fd, at < 0 ? 0 : (uint64_t)at, n, append);
  ssize_t r = real_write(fd, buf, n);
  pthread_mutex_unlock(&lock);
  return r;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
  REAL(pwrite, ssize_t, (int, const void *, size_t, off_t));
  pthread_mutex_lock(&lock);
  before_write(fd, (uint64_t)off, n, 0);
  ssize_t r = real_pwrite(fd, buf, n, off);
  pthread_mutex_unlock(&lock);
  return r;
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) { return pwrite(fd, buf, n, off); }

static uint64_t iov_total(const struct iovec *iov, int count) {
  uint64_t n = 0;
  for (int i = 0; i < count; i++) n += iov[i].iov_len;
  return n;
}

ssize_t writev(int fd, const struct iovec *iov, int count) {
  REAL(writev, ssize_t, (int, const struct iovec *, int));
  if (!getenv("UNFLUSHED_DIR")) return real_writev(fd, iov, count);
  pthread_mutex_lock(&lock);
  int append;
  off_t at = position(fd, &append);
  if (at >= 0 || append) before_write(fd, at < 0 ? 0 : (uint64_t)at, iov_total(iov, count), append);
  ssize_t r = real_writev(fd, iov, count);
  pthread_mutex_unlock(&lock);
  return r;
}

ssize_t pwritev(int fd, const struct iovec *iov, int count, off_t off) {
  REAL(pwritev, ssize_t, (int, const struct iovec *, int, off_t));
  pthread_mutex_lock(&lock);
  before_write(fd, (uint64_t)off, iov_total(iov, count), 0);
  ssize_t r = real_pwritev(fd, iov, count, off);
  pthread_mutex_unlock(&lock);
  return r;
}

ssize_t pwritev64(int fd, const struct iovec *iov, int count, off_t off) { return pwritev(fd, iov, count, off); }

int ftruncate(int fd, off_t length) {
  REAL(ftruncate, int, (int, off_t));
  pthread_mutex_lock(&lock);
  struct stat st;
  /* shrinking: the cut-off bytes are journalled as overwritten; growing: the old size is */
  if (fstat(fd, &st) == 0) {
    if (length < st.st_size) before_write(fd, (uint64_t)length, (uint64_t)(st.st_size - length), 0);
    else before_write(fd, (uint64_t)st.st_size, (uint64_t)(length - st.st_size), 0);
  }
  int r = real_ftruncate(fd, length);
  pthread_mutex_unlock(&lock);
  return r;
}

int ftruncate64(int fd, off_t length) { return ftruncate(fd, length); }

int fsync(int fd) {
  REAL(fsync, int, (int));
  int r = real_fsync(fd);
  if (r == 0) {
    pthread_mutex_lock(&lock);
    after_flush(fd);
    pthread_mutex_unlock(&lock);
  }
  return r;
}

int fdatasync(int fd) {
  REAL(fdatasync, int, (int));
  int r = real_fdatasync(fd);
  if (r == 0) {
    pthread_mutex_lock(&lock);
    after_flush(fd);
    pthread_mutex_unlock(&lock);
  }
  return r;
}
