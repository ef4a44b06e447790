/* proc.c - running an external tool with a time limit and a log. */
#define _XOPEN_SOURCE 700
#include "gen/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Keeps the last bytes of what the tool printed. */
static void keep_tail(char *tail, size_t cap, size_t *len, const char *buf, size_t n)
{
	if (n >= cap - 1) {
		memcpy(tail, buf + n - (cap - 1), cap - 1);
		*len = cap - 1;
	} else {
		if (*len + n > cap - 1) {
			size_t drop = *len + n - (cap - 1);
			memmove(tail, tail + drop, *len - drop);
			*len -= drop;
		}
		memcpy(tail + *len, buf, n);
		*len += n;
	}
	tail[*len] = '\0';
}

int proc_run(char *const argv[], const char *cwd, const char *log_path, double timeout_s,
	     proc_result *r, berr *e)
{
	memset(r, 0, sizeof *r);
	int logfd = -1;
	if (log_path) {
		logfd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (logfd < 0)
			return errf(e, "%s: cannot open log: %s", log_path, strerror(errno));
	}
	int pfd[2];
	if (pipe(pfd) != 0) {
		if (logfd >= 0)
			close(logfd);
		return errf(e, "pipe: %s", strerror(errno));
	}
	double t0 = now();
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		if (logfd >= 0)
			close(logfd);
		return errf(e, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		setpgid(0, 0);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		if (cwd && chdir(cwd) != 0) {
			fprintf(stderr, "cannot enter %s: %s\n", cwd, strerror(errno));
			_exit(127);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(pfd[1]);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	size_t tlen = 0;
	bool eof = false, term_sent = false;
	double kill_at = 0;
	int wstatus = 0;
	bool done = false;
	while (!done || !eof) {
		char buf[8192];
		ssize_t n;
		while (!eof && (n = read(pfd[0], buf, sizeof buf)) != 0) {
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno != EAGAIN)
					eof = true;
				break;
			}
			keep_tail(r->tail, sizeof r->tail, &tlen, buf, (size_t)n);
			if (logfd >= 0 && write(logfd, buf, (size_t)n) != n)
				warn("%s: write error", log_path);
		}
		if (n == 0)
			eof = true;
		if (!done) {
			pid_t w = waitpid(pid, &wstatus, WNOHANG);
			if (w == pid)
				done = true;
		}
		double t = now();
		if (!done && timeout_s > 0 && t - t0 > timeout_s && !term_sent) {
			kill(-pid, SIGTERM);
			term_sent = true;
			r->timed_out = true;
			kill_at = t + 2;
		}
		if (!done && term_sent && t > kill_at)
			kill(-pid, SIGKILL);
		if (done && !eof) {
			/* the tool is gone; grandchildren may hold the pipe: drain what is there */
			if (term_sent)
				kill(-pid, SIGKILL);
			n = read(pfd[0], buf, sizeof buf);
			if (n > 0) {
				keep_tail(r->tail, sizeof r->tail, &tlen, buf, (size_t)n);
				if (logfd >= 0 && write(logfd, buf, (size_t)n) != n)
					warn("%s: write error", log_path);
				continue;
			}
			eof = true;
		}
		if (!done || !eof) {
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	close(pfd[0]);
	if (logfd >= 0)
		close(logfd);
	r->seconds = now() - t0;
	if (WIFEXITED(wstatus)) {
		r->status = r->timed_out ? -1 : WEXITSTATUS(wstatus);
	} else {
		r->status = -1;
		r->signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	}
	return 0;
}

const char *proc_describe(const proc_result *r, char *buf, size_t n)
{
	if (r->timed_out)
		snprintf(buf, n, "timed out after %.0f s", r->seconds);
	else if (r->signal)
		snprintf(buf, n, "killed by signal %d", r->signal);
	else
		snprintf(buf, n, "exit %d", r->status);
	return buf;
}

void proc_log(const char *log_path, const char *fmt, ...)
{
	FILE *f = log_path ? fopen(log_path, "a") : NULL;
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

char *proc_version(const char *tool, const char *flag)
{
	char *argv[] = {(char *)tool, (char *)flag, NULL};
	proc_result r;
	if (proc_run(argv, NULL, NULL, 30, &r, NULL) != 0 || r.status != 0)
		return NULL;
	char *nl = strchr(r.tail, '\n');
	if (nl)
		*nl = '\0';
	return r.tail[0] ? xstrdup(r.tail) : NULL;
}
