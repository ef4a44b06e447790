/* proc.h - running an external tool (Verilator, Yosys, an author command): no shell, a time
 * limit, output captured to a log file, and the log's tail kept for error messages. */
#ifndef BURN_PROC_H
#define BURN_PROC_H

#include "gen/util.h"

typedef struct {
	int status;        /* exit status, or -1 if killed by a signal or timed out */
	int signal;        /* the signal that ended it, or 0 */
	bool timed_out;    /* killed after the time limit */
	double seconds;    /* wall time */
	char tail[2048];   /* the last lines of its output (stdout and stderr together) */
} proc_result;

/* Runs argv[0] (looked up in PATH) with argv, in folder cwd (NULL: the current one), with
 * stdin from /dev/null and stdout+stderr appended to log_path (NULL: discarded, though the
 * tail is still kept). After timeout_s seconds (0: none) the whole process group gets
 * SIGTERM, then SIGKILL 2 s later. Returns 0 if it could be started (whatever its status),
 * -1 with e set if not. */
int proc_run(char *const argv[], const char *cwd, const char *log_path, double timeout_s,
	     proc_result *r, berr *e);

/* One line for messages: "exit 3", "killed by signal 9", "timed out after 60 s". */
const char *proc_describe(const proc_result *r, char *buf, size_t n);

/* Appends one formatted line to the log at log_path (nothing if it is NULL or cannot be
 * opened: a log is for people, never a reason to fail). */
void proc_log(const char *log_path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The first line of `cmd --version`-like output of a tool (for cache keys), or NULL. */
char *proc_version(const char *tool, const char *flag);

#endif
