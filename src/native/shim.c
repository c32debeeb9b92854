/*
 * podnet-shim: the per-container supervisor and stdio relay (conmon's job).
 *
 *   podnet-shim run DIR [-i] [-t] [-w WORKDIR] [-r PIDFILE] -- ARGV...
 *       Runs ARGV as the container: its own session and process group,
 *       stdin from the fifo DIR/stdin when -i (else /dev/null), a pty when -t.
 *       Records "pid starttime" in DIR/pid and the exit status (128+N on a
 *       signal, "128 StartError" when WORKDIR is missing) in DIR/exit, both
 *       via tmp + rename. Output goes to DIR/log (O_APPEND, so copytruncate
 *       rotation is safe) in the CRI log format: one record per line,
 *       "<RFC3339Nano> <stdout|stderr> <F|P> <text>\n"; P marks a piece of a
 *       line written without its newline yet (a prompt shows up at once).
 *       The fifo DIR/ctl takes lines "resize ROWS COLS" (tty) and
 *       "close-stdin" (stdinOnce). The shim holds both ends of its fifos, so
 *       the agent can come and go (attach after an agent restart works) and
 *       the container never sees EOF until told.
 *
 *       With -r PIDFILE, ARGV is an OCI runtime's "run -d --pid-file PIDFILE"
 *       (runc): the shim becomes a child subreaper, waits for the runtime to
 *       start the container and exit, then reaps the container process (now
 *       its child) and records that process's pid and exit status. A runtime
 *       that fails records "128 StartError"; its message is in the log.
 *
 *   podnet-shim pty [-s ROWS:COLS] -- ARGV...
 *       Runs ARGV on a new pty (its own session, the pty as controlling
 *       terminal) and relays: fd 0 -> pty, pty -> fd 1; fd 3 takes the same
 *       "resize ROWS COLS" lines. Exits with ARGV's status. SIGTERM, SIGHUP
 *       or the death of its parent kill ARGV's whole process group: an exec
 *       session never outlives the agent's stream.
 *
 *   podnet-shim pause
 *       The init of a pod's shared PID namespace (shareProcessNamespace):
 *       sleeps and reaps every child it inherits, as kube's pause does, so
 *       processes orphaned in any container leave no zombies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_chld = 0;
static volatile sig_atomic_t got_term = 0;
static void on_chld(int s) { (void)s; got_chld = 1; }
static void on_term(int s) { (void)s; got_term = 1; }

static void die(const char *what) {
  fprintf(stderr, "podnet-shim: %s: %s\n", what, strerror(errno));
  exit(125);
}

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd pf = {fd, POLLOUT, 0};
        poll(&pf, 1, 1000);
        continue;
      }
      return;
    }
    p += w;
    n -= (size_t)w;
  }
}

/* tmp + rename, so a reader never sees half a record. */
static void record(const char *dir, const char *name, const char *text) {
  char tmp[4096], path[4096];
  snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  write_all(fd, text, strlen(text));
  close(fd);
  rename(tmp, path);
}

/* Field 22 of /proc/PID/stat: what podnet records as a process's identity with its pid. */
static void start_time(pid_t pid, char *out, size_t n) {
  char path[64], buf[2048];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  out[0] = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t r = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (r <= 0) return;
  buf[r] = 0;
  char *p = strrchr(buf, ')');
  if (!p) return;
  p += 2; /* field 3 */
  for (int field = 3; field < 22 && p; field++) {
    p = strchr(p, ' ');
    if (p) p++;
  }
  if (!p) return;
  size_t len = strcspn(p, " \n");
  if (len >= n) len = n - 1;
  memcpy(out, p, len);
  out[len] = 0;
}

static int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

/* --- CRI log records ------------------------------------------------------ */

static void log_records(int logfd, const char *stream, const char *p, size_t n) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char prefix[96];
  int plen = snprintf(prefix, sizeof prefix, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ %s ", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec, stream);
  static char rec[65536 + 128];
  while (n > 0) {
    const char *nl = memchr(p, '\n', n);
    size_t len = nl ? (size_t)(nl - p) : n;
    memcpy(rec, prefix, (size_t)plen);
    rec[plen] = nl ? 'F' : 'P';
    rec[plen + 1] = ' ';
    memcpy(rec + plen + 2, p, len);
    rec[plen + 2 + len] = '\n';
    /* One write per record: O_APPEND keeps records whole between the two streams. */
    write_all(logfd, rec, (size_t)plen + 3 + len);
    if (!nl) break;
    p += len + 1;
    n -= len + 1;
  }
}

/* --- the pty ---------------------------------------------------------------- */

static int open_pty(char *slave_name, size_t n) {
  int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0) die("posix_openpt");
  if (grantpt(m) < 0 || unlockpt(m) < 0) die("grantpt");
  if (ptsname_r(m, slave_name, n) != 0) die("ptsname");
  return m;
}

static void set_size(int fd, int rows, int cols) {
  if (rows <= 0 || cols <= 0 || rows > 10000 || cols > 10000) return;
  struct winsize ws = {(unsigned short)rows, (unsigned short)cols, 0, 0};
  ioctl(fd, TIOCSWINSZ, &ws);
}

/* In the child: new session, the pty (if any) as controlling terminal. */
static void become_session(const char *slave) {
  setsid();
  if (slave) {
    int s = open(slave, O_RDWR);
    if (s < 0) _exit(125);
    ioctl(s, TIOCSCTTY, 0);
    dup2(s, 0);
    dup2(s, 1);
    dup2(s, 2);
    if (s > 2) close(s);
  }
}

/* Control lines ("resize R C", "close-stdin"), buffered until a newline. */
struct ctl {
  char buf[256];
  size_t len;
};

static int ctl_line(struct ctl *c, int fd, int resize_fd, int *close_stdin) {
  ssize_t r = read(fd, c->buf + c->len, sizeof c->buf - 1 - c->len);
  if (r <= 0) return r == 0 ? 0 : (errno == EAGAIN || errno == EINTR ? 1 : 0);
  c->len += (size_t)r;
  for (;;) {
    char *nl = memchr(c->buf, '\n', c->len);
    if (!nl) {
      if (c->len >= sizeof c->buf - 1) c->len = 0; /* garbage: drop */
      return 1;
    }
    *nl = 0;
    int rows, cols;
    if (sscanf(c->buf, "resize %d %d", &rows, &cols) == 2 && resize_fd >= 0) set_size(resize_fd, rows, cols);
    else if (strcmp(c->buf, "close-stdin") == 0) *close_stdin = 1;
    size_t used = (size_t)(nl - c->buf) + 1;
    memmove(c->buf, nl + 1, c->len - used);
    c->len -= used;
  }
}

static void nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* Reads what is there now (the child is gone; a grandchild may hold the pipe open forever). */
static void drain(int fd, int logfd, const char *stream, int out_fd) {
  char buf[65536];
  nonblock(fd);
  for (int i = 0; i < 1024; i++) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r <= 0) return;
    if (logfd >= 0) log_records(logfd, stream, buf, (size_t)r);
    else write_all(out_fd, buf, (size_t)r);
  }
}

/* --- run: the container -------------------------------------------------------- */

/* "1234\n" in the runtime's pid file → 1234, or 0. */
static pid_t read_pid_file(const char *path) {
  char buf[64];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t r = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (r <= 0) return 0;
  buf[r] = 0;
  long v = strtol(buf, NULL, 10);
  return v > 0 ? (pid_t)v : 0;
}

static int cmd_run(const char *dir, int want_stdin, int tty, const char *workdir, const char *reap_pidfile,
                   char **argv) {
  char path[4096];
  snprintf(path, sizeof path, "%s/log", dir);
  int logfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (logfd < 0) die("open log");

  /* Our own fifos, held open read+write so writers may come and go. */
  snprintf(path, sizeof path, "%s/ctl", dir);
  if (mkfifo(path, 0600) < 0 && errno != EEXIST) die("mkfifo ctl");
  int ctlfd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (ctlfd < 0) die("open ctl");
  int infifo = -1;
  if (want_stdin) {
    snprintf(path, sizeof path, "%s/stdin", dir);
    if (mkfifo(path, 0600) < 0 && errno != EEXIST) die("mkfifo stdin");
    infifo = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (infifo < 0) die("open stdin");
  }

  char slave[128];
  int master = -1, out[2] = {-1, -1}, err[2] = {-1, -1}, in[2] = {-1, -1}, report[2];
  if (tty) {
    master = open_pty(slave, sizeof slave);
  } else {
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) die("pipe");
    if (want_stdin && pipe2(in, O_CLOEXEC) < 0) die("pipe");
  }
  if (pipe2(report, O_CLOEXEC) < 0) die("pipe");

  signal(SIGCHLD, on_chld);
  signal(SIGPIPE, SIG_IGN);
  /* The container process is the runtime's child; when the runtime exits it becomes ours. */
  if (reap_pidfile && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) die("prctl subreaper");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    become_session(tty ? slave : NULL);
    if (!tty) {
      int devnull = open("/dev/null", O_RDONLY);
      dup2(want_stdin ? in[0] : devnull, 0);
      dup2(out[1], 1);
      dup2(err[1], 2);
    }
    if (workdir && *workdir && chdir(workdir) < 0) {
      write_all(report[1], "S", 1);
      _exit(128);
    }
    execv(argv[0], argv);
    write_all(report[1], "E", 1);
    _exit(127);
  }
  close(report[1]);
  if (!tty) {
    close(out[1]);
    close(err[1]);
    if (want_stdin) close(in[0]);
  }
  char what = 0;
  while (read(report[0], &what, 1) < 0 && errno == EINTR) {
  }
  close(report[0]);
  if (what == 'S') {
    waitpid(pid, NULL, 0);
    record(dir, "exit", "128 StartError\n");
    return 0;
  }
  char st[64], text[128];
  if (reap_pidfile) {
    /* The runtime exits once the container runs (or failed to start it). */
    int rstatus = 0;
    while (waitpid(pid, &rstatus, 0) < 0 && errno == EINTR) {
    }
    pid_t container = WIFEXITED(rstatus) && WEXITSTATUS(rstatus) == 0 ? read_pid_file(reap_pidfile) : 0;
    if (container <= 0) {
      if (!tty) {
        drain(out[0], logfd, "stdout", -1);
        drain(err[0], logfd, "stderr", -1);
      } else {
        drain(master, logfd, "stdout", -1);
      }
      record(dir, "exit", "128 StartError\n");
      return 0;
    }
    pid = container;
  }
  start_time(pid, st, sizeof st);
  snprintf(text, sizeof text, "%d %s\n", (int)pid, st);
  record(dir, "pid", text);

  int child_in = tty ? master : in[1];
  if (child_in >= 0) nonblock(child_in);
  char pending[65536];
  size_t pending_len = 0;
  int close_stdin = 0, stdin_open = want_stdin;
  struct ctl ctl = {{0}, 0};
  int status = 0;
  int outs[2] = {tty ? master : out[0], tty ? -1 : err[0]};
  const char *names[2] = {"stdout", "stderr"};
  char buf[65536];

  for (;;) {
    if (got_chld) {
      got_chld = 0;
      /* Reap everything: a subreaper also inherits the runtime's other orphans. */
      int reaped = 0, st2;
      pid_t w;
      while ((w = waitpid(-1, &st2, WNOHANG)) > 0)
        if (w == pid) {
          status = st2;
          reaped = 1;
        }
      if (reaped) break;
    }
    struct pollfd p[5];
    int n = 0, i_out0 = -1, i_out1 = -1, i_in = -1, i_ctl;
    if (outs[0] >= 0) { i_out0 = n; p[n++] = (struct pollfd){outs[0], POLLIN, 0}; }
    if (outs[1] >= 0) { i_out1 = n; p[n++] = (struct pollfd){outs[1], POLLIN, 0}; }
    i_ctl = n;
    p[n++] = (struct pollfd){ctlfd, POLLIN, 0};
    if (stdin_open && pending_len == 0) { i_in = n; p[n++] = (struct pollfd){infifo, POLLIN, 0}; }
    if (stdin_open && pending_len > 0) p[n++] = (struct pollfd){child_in, POLLOUT, 0};
    int r = poll(p, (nfds_t)n, 1000);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    for (int k = 0; k < 2; k++) {
      int idx = k == 0 ? i_out0 : i_out1;
      if (idx < 0 || !p[idx].revents) continue;
      ssize_t got = read(outs[k], buf, sizeof buf);
      if (got > 0) log_records(logfd, names[k], buf, (size_t)got);
      else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        /* EOF (or EIO on a pty whose last holder left): stop watching it. */
        if (!tty) close(outs[k]);
        outs[k] = -1;
      }
    }
    if (p[i_ctl].revents) ctl_line(&ctl, ctlfd, tty ? master : -1, &close_stdin);
    if (i_in >= 0 && p[i_in].revents) {
      ssize_t got = read(infifo, pending, sizeof pending);
      if (got > 0) pending_len = (size_t)got;
    }
    if (stdin_open && pending_len > 0) {
      ssize_t w = write(child_in, pending, pending_len);
      if (w > 0) {
        memmove(pending, pending + w, pending_len - (size_t)w);
        pending_len -= (size_t)w;
      } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        pending_len = 0; /* the container closed its stdin */
      }
    }
    if (close_stdin && stdin_open) {
      /* What the agent wrote before asking to close is delivered first. */
      for (;;) {
        if (pending_len > 0) write_all(child_in, pending, pending_len);
        pending_len = 0;
        ssize_t got = read(infifo, pending, sizeof pending);
        if (got <= 0) break;
        pending_len = (size_t)got;
      }
      stdin_open = 0;
      if (tty) write_all(master, "\x04", 1); /* EOF on a terminal is the VEOF character */
      else close(in[1]);
    }
    if (outs[0] < 0 && outs[1] < 0) {
      /* Output closed: the container is ending; wait for it. */
      if (waitpid(pid, &status, 0) == pid) break;
    }
  }
  if (outs[0] >= 0) drain(outs[0], logfd, "stdout", -1);
  if (outs[1] >= 0) drain(outs[1], logfd, "stderr", -1);
  snprintf(text, sizeof text, "%d\n", exit_code(status));
  record(dir, "exit", text);
  return 0;
}

/* --- pty: an interactive exec -------------------------------------------------- */

static pid_t pty_child = 0;

static int cmd_pty(int rows, int cols, char **argv) {
  char slave[128];
  int master = open_pty(slave, sizeof slave);
  set_size(master, rows, cols);
  signal(SIGCHLD, on_chld);
  signal(SIGTERM, on_term);
  signal(SIGHUP, on_term);
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() == 1) got_term = 1;
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    signal(SIGCHLD, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    close(3);
    become_session(slave);
    execvp(argv[0], argv);
    fprintf(stderr, "podnet-shim: cannot run %s: %s\r\n", argv[0], strerror(errno));
    _exit(127);
  }
  pty_child = pid;
  nonblock(master);
  int in_open = 1, ctl_open = fcntl(3, F_GETFD) >= 0;
  struct ctl ctl = {{0}, 0};
  char buf[65536];
  int status = 0, close_stdin = 0;
  for (;;) {
    if (got_term) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      got_term = 0;
    }
    if (got_chld) {
      got_chld = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) break;
    }
    struct pollfd p[3];
    int n = 0, i_in = -1, i_ctl = -1;
    p[n++] = (struct pollfd){master, POLLIN, 0};
    if (in_open) { i_in = n; p[n++] = (struct pollfd){0, POLLIN, 0}; }
    if (ctl_open) { i_ctl = n; p[n++] = (struct pollfd){3, POLLIN, 0}; }
    int r = poll(p, (nfds_t)n, 1000);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (p[0].revents) {
      ssize_t got = read(master, buf, sizeof buf);
      if (got > 0) write_all(1, buf, (size_t)got);
    }
    if (i_in >= 0 && p[i_in].revents) {
      ssize_t got = read(0, buf, sizeof buf);
      if (got > 0) write_all(master, buf, (size_t)got);
      else if (got == 0 || errno != EINTR) {
        in_open = 0;
        write_all(master, "\x04", 1);
      }
    }
    if (i_ctl >= 0 && p[i_ctl].revents && !ctl_line(&ctl, 3, master, &close_stdin)) ctl_open = 0;
  }
  drain(master, -1, NULL, 1);
  /* Whatever the shell left running in its group goes with it. */
  kill(-pid, SIGKILL);
  return exit_code(status);
}

/* --- pause: PID 1 of a shared PID namespace ------------------------------------ */

static int cmd_pause(void) {
  /* As PID 1 of its namespace only signals with a handler reach it; SIGKILL from the node ends it. */
  signal(SIGCHLD, on_chld);
  sigset_t chld, none;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigemptyset(&none);
  /* SIGCHLD is held between reaping and sleeping, so none is missed in between. */
  sigprocmask(SIG_BLOCK, &chld, NULL);
  for (;;) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    sigsuspend(&none);
  }
}

static void usage(void) {
  fprintf(stderr,
          "usage: podnet-shim run DIR [-i] [-t] [-w WORKDIR] [-r PIDFILE] -- ARGV...\n"
          "       podnet-shim pty [-s ROWS:COLS] -- ARGV...\n"
          "       podnet-shim pause\n");
  exit(125);
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  if (strcmp(argv[1], "run") == 0) {
    if (argc < 3) usage();
    const char *dir = argv[2];
    int want_stdin = 0, tty = 0;
    const char *workdir = NULL, *reap_pidfile = NULL;
    int i = 3;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
      if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) reap_pidfile = argv[++i];
      else if (strcmp(argv[i], "-i") == 0) want_stdin = 1;
      else if (strcmp(argv[i], "-t") == 0) tty = 1;
      else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) workdir = argv[++i];
      else usage();
    }
    if (i + 1 >= argc) usage();
    return cmd_run(dir, want_stdin, tty, workdir, reap_pidfile, argv + i + 1);
  }
  if (strcmp(argv[1], "pty") == 0) {
    int rows = 0, cols = 0, i = 2;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
      if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
        if (sscanf(argv[++i], "%d:%d", &rows, &cols) != 2) usage();
      } else usage();
    }
    if (i + 1 >= argc) usage();
    return cmd_pty(rows, cols, argv + i + 1);
  }
  if (strcmp(argv[1], "pause") == 0) return cmd_pause();
  usage();
  return 125;
}
