/* launch.c - burn launch: runs a step under a launcher (srun, a queue's submit command) and
 * turns a job the launcher killed (a time limit, scancel, a lost node) into a failed result
 * file, so the candidate is recorded as failed and the sweep goes on. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gen/cmds.h"
#include "gen/result.h"
#include "gen/util.h"

const char usage_launch[] =
	"usage: burn launch [--out OUT] [--step NAME] [--] COMMAND [ARGS...]\n"
	"\n"
	"Runs COMMAND (a launcher such as srun, followed by the burn step it runs) with its\n"
	"output passed through. If COMMAND dies by a signal, exits with a status other than 0\n"
	"or 2, or exits 0 without writing OUT, burn launch writes the failed result\n"
	"{\"step\": NAME, \"status\": \"failed\", \"error\": \"...\"} to OUT (the error says how it\n"
	"ended and quotes the end of its standard error) and exits 0: the candidate is recorded\n"
	"as failed and the sweep goes on. Status 2 (burn's bad input: an unusable project) is\n"
	"passed on and stops the build. If burn launch itself is interrupted (SIGINT, SIGTERM,\n"
	"SIGHUP) it passes the signal on, writes nothing and dies of it. A failed result written\n"
	"here is not cached: delete it (or the candidate's folder) to retry.\n"
	"\n"
	"  --out OUT    the step's result file (default: the argument after COMMAND's last -o)\n"
	"  --step NAME  the step's name in the result (default: OUT's file name without .json)\n"
	"\n"
	"As a launcher prefix:\n"
	"  burn gen P.yaml -o D --launcher '/path/to/burn launch -- srun -N1 -n1 --quiet'\n";

/* Longest stderr tail quoted in the error. */
enum { LAUNCH_TAIL = 1200 };

static volatile sig_atomic_t got_signal;
static volatile pid_t child;

static void forward(int sig)
{
	got_signal = sig;
	if (child > 0)
		kill(child, sig);
}

/* Keeps the last LAUNCH_TAIL bytes written to tail. */
static void keep(char *tail, size_t *len, const char *buf, size_t n)
{
	if (n >= LAUNCH_TAIL) {
		memcpy(tail, buf + n - LAUNCH_TAIL, LAUNCH_TAIL);
		*len = LAUNCH_TAIL;
		return;
	}
	if (*len + n > LAUNCH_TAIL) {
		size_t drop = *len + n - LAUNCH_TAIL;
		memmove(tail, tail + drop, *len - drop);
		*len -= drop;
	}
	memcpy(tail + *len, buf, n);
	*len += n;
}

/* The step's name from its result file: "c/ID/csim.json" gives "csim". */
static char *step_of(const char *out)
{
	const char *base = strrchr(out, '/');
	base = base ? base + 1 : out;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	return xstrndup(base, n);
}

int cmd_launch(int argc, char **argv)
{
	const char *out = NULL, *stepname = NULL;
	int i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if ((strcmp(argv[i], "--out") == 0 || strcmp(argv[i], "--step") == 0)) {
			if (i + 1 >= argc) {
				fprintf(stderr, "burn launch: option '%s' needs a value\n", argv[i]);
				return EXIT_BADINPUT;
			}
			*(argv[i][2] == 'o' ? &out : &stepname) = argv[i + 1];
			i++;
			continue;
		}
		if (argv[i][0] == '-') {
			fprintf(stderr, "burn launch: unknown option '%s' (see burn launch --help)\n",
				argv[i]);
			return EXIT_BADINPUT;
		}
		break;
	}
	if (i >= argc) {
		fprintf(stderr, "burn launch: no command to run (see burn launch --help)\n");
		return EXIT_BADINPUT;
	}
	char **cmd = argv + i;
	int ncmd = argc - i;
	for (int j = ncmd - 2; !out && j >= 0; j--)
		if (strcmp(cmd[j], "-o") == 0)
			out = cmd[j + 1];
	if (!out || !out[0]) {
		fprintf(stderr, "burn launch: no result file: give --out OUT, or a command with -o "
				"OUT\n");
		return EXIT_BADINPUT;
	}
	char *name = stepname ? xstrdup(stepname) : step_of(out);

	int pfd[2];
	if (pipe(pfd) != 0)
		die(EXIT_INTERNAL, "launch: pipe: %s", strerror(errno));
	struct sigaction sa = {0}, old[3];
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
	for (int s = 0; s < 3; s++)
		sigaction(sigs[s], &sa, &old[s]);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		die(EXIT_INTERNAL, "launch: fork: %s", strerror(errno));
	if (pid == 0) {
		for (int s = 0; s < 3; s++)
			sigaction(sigs[s], &old[s], NULL);
		close(pfd[0]);
		if (dup2(pfd[1], 2) < 0)
			_exit(127);
		close(pfd[1]);
		execvp(cmd[0], cmd);
		fprintf(stderr, "burn launch: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	child = pid;
	close(pfd[1]);
	/* pass its standard error through, keeping the end of it for the error text */
	char tail[LAUNCH_TAIL + 1], buf[4096];
	size_t tl = 0;
	for (;;) {
		ssize_t r = read(pfd[0], buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		keep(tail, &tl, buf, (size_t)r);
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(2, buf + off, (size_t)(r - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break; /* stderr gone: keep reading so the child is not blocked */
			off += w;
		}
	}
	close(pfd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			die(EXIT_INTERNAL, "launch: waitpid: %s", strerror(errno));
	}
	child = 0;
	if (got_signal) { /* interrupted ourselves: no verdict on the candidate */
		free(name);
		int sig = got_signal;
		signal(sig, SIG_DFL);
		raise(sig);
		return 128 + sig;
	}
	struct stat st;
	bool wrote = stat(out, &st) == 0;
	strbuf why = {0};
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && wrote) {
		free(name);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_BADINPUT) {
		free(name);
		return EXIT_BADINPUT;
	}
	if (WIFSIGNALED(status))
		sb_printf(&why, "launcher: %s was killed by signal %d (%s)", cmd[0],
			WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) != 0)
		sb_printf(&why, "launcher: %s exited with status %d%s", cmd[0],
			WEXITSTATUS(status), WEXITSTATUS(status) > 128 ?
			" (its job was killed: a time limit, scancel or a lost node)" : "");
	else
		sb_printf(&why, "launcher: %s exited 0 without writing %s", cmd[0], out);
	/* the stderr tail, on one line */
	tail[tl] = '\0';
	for (size_t k = 0; k < tl; k++)
		if (tail[k] == '\n' || tail[k] == '\r' || tail[k] == '\t')
			tail[k] = ' ';
	size_t a = 0;
	while (a < tl && tail[a] == ' ')
		a++;
	while (tl > a && tail[tl - 1] == ' ')
		tail[--tl] = '\0';
	if (tl > a)
		sb_printf(&why, ": %s", tail + a);
	strbuf res = {0};
	result_write_failed(&res, name, why.s);
	berr e;
	char *side = xmalloc(strlen(out) + 8);
	sprintf(side, "%s.cache", out);
	unlink(side); /* a failure here is not a cache result */
	free(side);
	int rc = 0;
	if (write_file_atomic(out, res.s, res.len, false, &e) != 0) {
		fprintf(stderr, "burn launch: %s\n", e.msg);
		rc = EXIT_INTERNAL;
	} else {
		fprintf(stderr, "burn launch: %s: recorded as failed: %s\n", out, why.s);
	}
	sb_free(&res);
	sb_free(&why);
	free(name);
	return rc;
}
