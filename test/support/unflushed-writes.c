/*
 * unflushed-writes: an LD_PRELOAD library for the power-cut tests (test/support/power-cut.ts).
 *
 * It does not change what the program writes. It keeps a journal (the file named by
 * UNFLUSHED_JOURNAL) of the writes the program makes to regular files under UNFLUSHED_DIR
 * (which must be a canonical path: no symlink in it, no trailing slash): before each write,
 * the bytes the write is about to replace, and around each flush of a file (fsync, fdatasync)
 * a mark before it begins and one after it succeeded. After the program is killed, the test
 * takes back, newest first, every write made to a file after the beginning of that file's
 * last successful flush: what is written but never flushed is exactly what a power cut may
 * take away (the operating system still held it).
 *
 * Journal records (little-endian), each written whole with one write(2) under one lock:
 *   'W' u32 path_len, path, u64 inode, u64 offset, u64 length, u64 old_size, u64 old_len,
 *       old bytes (old_len = the part of [offset, offset + length) below old_size)
 *   'T' the same for ftruncate (offset = the new length, or the old size when it grows)
 *   'B' u32 path_len, path, u64 id: a flush of the file begins
 *   'S' u32 path_len, path, u64 id: the flush begun by the 'B' of the same id succeeded
 *       (what was written to the file before that 'B' is on disk)
 *
 * Built by the tests with the system's C compiler (cc -shared -fPIC ... -ldl -lpthread).
 * Journalled: write, pwrite, writev, pwritev (and their 64 names), ftruncate. Not journalled:
 * stdio's internal writes, pwritev2, fallocate, copy_file_range, io_uring, raw syscall(),
 * open(O_TRUNC), renames and unlinks, memory maps; O_SYNC writes count as unflushed until the
 * next fsync; syncfs is not a flush. The programs under test (LevelDB in Chromium, PGlite in
 * Node) write with write/pwrite/writev and flush with fsync/fdatasync.
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

_Static_assert(sizeof(off_t) == 8, "64-bit file offsets");

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static ssize_t raw_write(int fd, const void *buf, size_t n) { return (ssize_t)syscall(SYS_write, fd, buf, n); }
static ssize_t raw_pread(int fd, void *buf, size_t n, off_t off) { return (ssize_t)syscall(SYS_pread64, fd, buf, n, off); }

static const char *watched_dir(void) {
  static const char *dir;
  static int checked;
  if (!checked) {
    const char *d = getenv("UNFLUSHED_DIR");
    if (d && getenv("UNFLUSHED_JOURNAL")) {
      char real[PATH_MAX];
      /* a folder named another way than the kernel names it would match nothing: refuse it */
      if (realpath(d, real) && strcmp(real, d) != 0) {
        static const char msg[] = "unflushed-writes: UNFLUSHED_DIR must be a canonical path\n";
        raw_write(2, msg, sizeof msg - 1);
        abort();
      }
      dir = d;
    }
    checked = 1;
  }
  return dir;
}

/* the path of fd when it is a regular file under UNFLUSHED_DIR, else 0 */
static int watched(int fd, char *path, struct stat *st) {
  const char *dir = watched_dir();
  if (!dir || fd < 0) return 0;
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, PATH_MAX - 1);
  if (n <= 0) return 0;
  path[n] = '\0';
  size_t dl = strlen(dir);
  if (strncmp(path, dir, dl) != 0 || path[dl] != '/') return 0;
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

/* read what fd holds at [offset, offset + n): through fd, or, when it is open for writing only, through a new descriptor */
static void read_old(int fd, const char *path, char *into, uint64_t n, uint64_t offset) {
  int from = fd, opened = -1;
  uint64_t got = 0;
  while (got < n) {
    ssize_t r = raw_pread(from, into + got, n - got, (off_t)(offset + got));
    if (r < 0 && opened < 0) {
      opened = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
      if (opened < 0) abort();
      from = opened;
      continue;
    }
    if (r <= 0) abort();
    got += (uint64_t)r;
  }
  if (opened >= 0) syscall(SYS_close, opened);
}

/* journal what [offset, offset + length) of the file holds now, before it is overwritten */
static void before_write(char kind, int fd, const char *path, const struct stat *st, uint64_t offset, uint64_t length) {
  uint64_t size = (uint64_t)st->st_size;
  uint64_t inode = (uint64_t)st->st_ino;
  uint64_t old_len = offset >= size ? 0 : (offset + length > size ? size - offset : length);
  uint32_t path_len = (uint32_t)strlen(path);
  size_t total = 1 + 4 + path_len + 5 * 8 + old_len;
  char *rec = malloc(total);
  if (!rec) abort();
  char *p = rec;
  *p++ = kind;
  memcpy(p, &path_len, 4), p += 4;
  memcpy(p, path, path_len), p += path_len;
  memcpy(p, &inode, 8), p += 8;
  memcpy(p, &offset, 8), p += 8;
  memcpy(p, &length, 8), p += 8;
  memcpy(p, &size, 8), p += 8;
  memcpy(p, &old_len, 8), p += 8;
  read_old(fd, path, p, old_len, offset);
  journal(rec, total);
  free(rec);
}

static void mark(char kind, const char *path, uint64_t id) {
  uint32_t path_len = (uint32_t)strlen(path);
  char rec[1 + 4 + PATH_MAX + 8];
  rec[0] = kind;
  memcpy(rec + 1, &path_len, 4);
  memcpy(rec + 5, path, path_len);
  memcpy(rec + 5 + path_len, &id, 8);
  journal(rec, 5 + path_len + 8);
}

#define REAL(name, ret, args) \
  static ret(*real_##name) args; \
  if (!real_##name) real_##name = (ret(*) args)dlsym(RTLD_NEXT, #name)

static int appends(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_APPEND);
}

static uint64_t iov_total(const struct iovec *iov, int count) {
  uint64_t n = 0;
  for (int i = 0; i < count; i++) n += iov[i].iov_len;
  return n;
}

/*
 * Journal a write of `length` bytes at `at` (-1: at the descriptor's position), the lock held.
 * An O_APPEND descriptor writes at the end whatever the offset given (Linux).
 */
static void journal_write(int fd, int64_t at, uint64_t length) {
  char path[PATH_MAX];
  struct stat st;
  if (!watched(fd, path, &st)) return;
  uint64_t offset;
  if (appends(fd)) offset = (uint64_t)st.st_size;
  else if (at >= 0) offset = (uint64_t)at;
  else {
    off_t pos = lseek(fd, 0, SEEK_CUR);
    if (pos < 0) return;
    offset = (uint64_t)pos;
  }
  before_write('W', fd, path, &st, offset, length);
}

ssize_t write(int fd, const void *buf, size_t n) {
  REAL(write, ssize_t, (int, const void *, size_t));
  if (!watched_dir()) return real_write(fd, buf, n);
  char path[PATH_MAX];
  struct stat st;
  /* only the watched files take the lock: a pipe or a socket never waits behind it */
  if (!watched(fd, path, &st)) return real_write(fd, buf, n);
  pthread_mutex_lock(&lock);
  journal_write(fd, -1, n);
  ssize_t r = real_write(fd, buf, n);
  pthread_mutex_unlock(&lock);
  return r;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
  REAL(pwrite, ssize_t, (int, const void *, size_t, off_t));
  char path[PATH_MAX];
  struct stat st;
  if (!watched(fd, path, &st)) return real_pwrite(fd, buf, n, off);
  pthread_mutex_lock(&lock);
  journal_write(fd, off, n);
  ssize_t r = real_pwrite(fd, buf, n, off);
  pthread_mutex_unlock(&lock);
  return r;
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) { return pwrite(fd, buf, n, off); }

ssize_t writev(int fd, const struct iovec *iov, int count) {
  REAL(writev, ssize_t, (int, const struct iovec *, int));
  if (!watched_dir()) return real_writev(fd, iov, count);
  char path[PATH_MAX];
  struct stat st;
  if (!watched(fd, path, &st)) return real_writev(fd, iov, count);
  pthread_mutex_lock(&lock);
  journal_write(fd, -1, iov_total(iov, count));
  ssize_t r = real_writev(fd, iov, count);
  pthread_mutex_unlock(&lock);
  return r;
}

ssize_t pwritev(int fd, const struct iovec *iov, int count, off_t off) {
  REAL(pwritev, ssize_t, (int, const struct iovec *, int, off_t));
  char path[PATH_MAX];
  struct stat st;
  if (!watched(fd, path, &st)) return real_pwritev(fd, iov, count, off);
  pthread_mutex_lock(&lock);
  journal_write(fd, off, iov_total(iov, count));
  ssize_t r = real_pwritev(fd, iov, count, off);
  pthread_mutex_unlock(&lock);
  return r;
}

ssize_t pwritev64(int fd, const struct iovec *iov, int count, off_t off) { return pwritev(fd, iov, count, off); }

int ftruncate(int fd, off_t length) {
  REAL(ftruncate, int, (int, off_t));
  char path[PATH_MAX];
  struct stat st;
  if (!watched(fd, path, &st)) return real_ftruncate(fd, length);
  pthread_mutex_lock(&lock);
  /* shrinking: the cut-off bytes are journalled as replaced; growing: the old size is */
  if (fstat(fd, &st) == 0) {
    if ((uint64_t)length < (uint64_t)st.st_size) before_write('T', fd, path, &st, (uint64_t)length, (uint64_t)(st.st_size - length));
    else before_write('T', fd, path, &st, (uint64_t)st.st_size, (uint64_t)(length - st.st_size));
  }
  int r = real_ftruncate(fd, length);
  pthread_mutex_unlock(&lock);
  return r;
}

int ftruncate64(int fd, off_t length) { return ftruncate(fd, length); }

/* a flush: 'B' before it (writes after it are not covered), 'S' once it succeeded */
static int flush(int fd, int (*real)(int)) {
  char path[PATH_MAX];
  struct stat st;
  if (!watched(fd, path, &st)) return real(fd);
  static uint64_t next_id;
  pthread_mutex_lock(&lock);
  /* unique across the processes writing one journal: the pid in the high bits */
  uint64_t id = ((uint64_t)getpid() << 32) | ++next_id;
  mark('B', path, id);
  pthread_mutex_unlock(&lock);
  int r = real(fd);
  if (r == 0) {
    pthread_mutex_lock(&lock);
    mark('S', path, id);
    pthread_mutex_unlock(&lock);
  }
  return r;
}

int fsync(int fd) {
  REAL(fsync, int, (int));
  return flush(fd, real_fsync);
}

int fdatasync(int fd) {
  REAL(fdatasync, int, (int));
  return flush(fd, real_fdatasync);
}
