/* command.c - external authors and trainers: the prompt and training input they read, running
 * them with stdin and stdout pipes under a time limit and an output bound (argv only, no
 * shell), and reading the configs out of what they print. Protocol in docs/STRATEGIES.md. */
#include "author/command.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gen/json.h"
#include "gen/reward.h"
#include "gen/ydoc.h"

enum {
	PROMPT_BEST = 12,      /* best records in the prompt */
	PROMPT_FAILURES = 12,  /* most recent failures */
	PROMPT_LAST = 32,      /* records of the last round */
	KILL_GRACE_S = 2,      /* SIGTERM, then SIGKILL this much later */
	POLL_MS = 50,
	CHUNK = 1 << 16,
};

/* ---- running a command with stdin and stdout ---- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keeps the last bytes of a stream in tail (NUL-terminated, cap bytes with the NUL). */
static void keep_tail(char *tail, size_t cap, const char *buf, size_t n)
{
	size_t len = strlen(tail);
	if (n >= cap - 1) {
		memcpy(tail, buf + n - (cap - 1), cap - 1);
		len = cap - 1;
	} else {
		if (len + n > cap - 1) {
			size_t drop = len + n - (cap - 1);
			memmove(tail, tail + drop, len - drop);
			len -= drop;
		}
		memcpy(tail + len, buf, n);
		len += n;
	}
	tail[len] = '\0';
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Marks fd close-on-exec, and non-blocking if asked. */
static int fd_flags(int fd, bool nonblock)
{
	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
		return -1;
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 || (nonblock && fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) ? -1 : 0;
}

/* Moves fd above 2 (when burn runs with a standard stream closed, a pipe could get 0, 1 or 2,
 * which the child's dup2 would clobber) and marks it close-on-exec. */
static int fd_high(int *fd)
{
	if (*fd >= 0 && *fd < 3) {
		int h = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
		close(*fd);
		*fd = h;
	}
	return fd_flags(*fd, false);
}

/* The child: its own process group, the pipes as stdin/stdout/stderr, then argv. */
static _Noreturn void child(char *const argv[], const char *cwd, int in, int out, int err)
{
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL); /* the parent ignores it while it writes; exec would keep that */
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	char msg[512];
	int n;
	if (cwd && chdir(cwd) != 0) {
		n = snprintf(msg, sizeof msg, "cannot enter %s: %s\n", cwd, strerror(errno));
	} else {
		execvp(argv[0], argv);
		n = snprintf(msg, sizeof msg, "cannot run %s: %s\n", argv[0], strerror(errno));
	}
	if (n > 0 && write(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1) < 0)
		_exit(127);
	_exit(127);
}

int author_cmd_run(char *const argv[], const char *in, size_t len, const author_cmd_opts *opts,
		   double default_timeout_s, author_cmd_result *r, berr *e)
{
	memset(r, 0, sizeof *r);
	r->status = -1;
	if (!argv || !argv[0] || !argv[0][0])
		return errf(e, "author command: empty argv");
	double timeout = opts && opts->timeout_s > 0 ? opts->timeout_s : default_timeout_s;
	size_t maxout = opts && opts->max_output ? opts->max_output : AUTHOR_CMD_MAX_OUTPUT;
	const char *cwd = opts ? opts->cwd : NULL;
	int logfd = -1;
	if (opts && opts->log_path) {
		logfd = open(opts->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (logfd < 0 || fd_flags(logfd, false) != 0) {
			if (logfd >= 0)
				close(logfd);
			return errf(e, "%s: cannot open log: %s", opts->log_path, strerror(errno));
		}
	}
	int p[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}}; /* stdin, stdout, stderr */
	for (int k = 0; k < 3; k++)
		if (pipe(p[k]) != 0 || fd_high(&p[k][0]) != 0 || fd_high(&p[k][1]) != 0) {
			int err = errno;
			for (int j = 0; j < 3; j++) {
				close_fd(&p[j][0]);
				close_fd(&p[j][1]);
			}
			close_fd(&logfd);
			return errf(e, "pipe: %s", strerror(err));
		}
	/* A command that exits without reading its stdin must not kill burn with SIGPIPE. */
	struct sigaction ign, old;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	double t0 = now();
	pid_t pid = fork();
	if (pid < 0) {
		int err = errno;
		for (int j = 0; j < 3; j++) {
			close_fd(&p[j][0]);
			close_fd(&p[j][1]);
		}
		close_fd(&logfd);
		sigaction(SIGPIPE, &old, NULL);
		return errf(e, "fork: %s", strerror(err));
	}
	if (pid == 0)
		child(argv, cwd, p[0][0], p[1][1], p[2][1]);
	setpgid(pid, pid);
	close_fd(&p[0][0]);
	close_fd(&p[1][1]);
	close_fd(&p[2][1]);
	int win = p[0][1], rout = p[1][0], rerr = p[2][0];
	fd_flags(win, true);
	fd_flags(rout, true);
	fd_flags(rerr, true);
	size_t off = 0, cap = 0;
	if (len == 0)
		close_fd(&win);
	bool exited = false, term_sent = false, kill_sent = false;
	double kill_at = 0, exit_at = 0;
	int wstatus = 0;
	char *buf = xmalloc(CHUNK);
	for (;;) {
		struct pollfd fds[3];
		int nf = 0, iw = -1, io = -1, ie = -1;
		if (win >= 0)
			iw = nf, fds[nf++] = (struct pollfd){.fd = win, .events = POLLOUT};
		if (rout >= 0)
			io = nf, fds[nf++] = (struct pollfd){.fd = rout, .events = POLLIN};
		if (rerr >= 0)
			ie = nf, fds[nf++] = (struct pollfd){.fd = rerr, .events = POLLIN};
		if (exited && nf == 0)
			break;
		if (nf > 0) {
			if (poll(fds, (nfds_t)nf, POLL_MS) < 0) {
				if (errno != EINTR) { /* cannot watch it: end it */
					kill(-pid, SIGKILL);
					break;
				}
				for (int k = 0; k < nf; k++)
					fds[k].revents = 0;
			}
		} else {
			struct timespec ts = {0, POLL_MS * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		if (iw >= 0 && fds[iw].revents) {
			size_t n = len - off < CHUNK ? len - off : CHUNK;
			ssize_t w = write(win, in + off, n);
			if (w > 0)
				off += (size_t)w;
			else if (w < 0 && errno != EAGAIN && errno != EINTR)
				r->input_cut = true, close_fd(&win); /* EPIPE: it closed its stdin */
			if (off == len)
				close_fd(&win);
		}
		if (io >= 0 && fds[io].revents) {
			ssize_t n = read(rout, buf, CHUNK);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				close_fd(&rout);
			} else if (n > 0) {
				size_t take = (size_t)n;
				if (r->out_len + take > maxout) {
					take = maxout - r->out_len;
					r->flooded = true;
				}
				if (r->out_len + take + 1 > cap) {
					cap = (r->out_len + take + 1) * 2;
					cap = cap > maxout + 1 ? maxout + 1 : cap;
					r->out = xreallocarray(r->out, cap, 1);
				}
				memcpy(r->out + r->out_len, buf, take);
				r->out_len += take;
				r->out[r->out_len] = '\0';
				if (r->flooded) { /* stop reading: its next writes fail */
					close_fd(&rout);
					if (!term_sent && !exited) {
						kill(-pid, SIGTERM);
						term_sent = true;
						kill_at = now() + KILL_GRACE_S;
					}
				}
			}
		}
		if (ie >= 0 && fds[ie].revents) {
			ssize_t n = read(rerr, buf, CHUNK);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				close_fd(&rerr);
			} else if (n > 0) {
				keep_tail(r->err_tail, sizeof r->err_tail, buf, (size_t)n);
				if (logfd >= 0 && write(logfd, buf, (size_t)n) != n)
					warn("%s: write error", opts->log_path);
			}
		}
		double t = now();
		if (!exited && waitpid(pid, &wstatus, WNOHANG) == pid) {
			exited = true;
			exit_at = t;
			if (win >= 0) { /* it is gone without reading everything */
				r->input_cut = true;
				close_fd(&win);
			}
		}
		if (!exited && !term_sent && timeout > 0 && t - t0 > timeout) {
			kill(-pid, SIGTERM);
			term_sent = true;
			r->timed_out = true;
			kill_at = t + KILL_GRACE_S;
		}
		if (term_sent && !kill_sent && t > kill_at && !exited) {
			kill(-pid, SIGKILL);
			kill_sent = true;
		}
		/* It exited, but something it started still holds the pipes: end that too. */
		if (exited && t > exit_at + KILL_GRACE_S) {
			kill(-pid, SIGKILL);
			if (t > exit_at + 2 * KILL_GRACE_S) {
				close_fd(&rout);
				close_fd(&rerr);
			}
		}
	}
	if (!exited)
		waitpid(pid, &wstatus, 0);
	free(buf);
	close_fd(&win);
	close_fd(&rout);
	close_fd(&rerr);
	close_fd(&logfd);
	sigaction(SIGPIPE, &old, NULL);
	r->seconds = now() - t0;
	if (WIFEXITED(wstatus) && !r->timed_out && !r->flooded)
		r->status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		r->signal = WTERMSIG(wstatus);
	if (!r->out) {
		r->out = xstrdup("");
		r->out_len = 0;
	}
	return 0;
}

void author_cmd_result_free(author_cmd_result *r)
{
	free(r->out);
	r->out = NULL;
	r->out_len = 0;
}

/* One line for messages: "exit 3", "killed by signal 9", "timed out after 30 s", ... */
static void describe(const author_cmd_result *r, double timeout, size_t maxout, char *buf, size_t n)
{
	if (r->timed_out)
		snprintf(buf, n, "timed out after %.0f s", timeout);
	else if (r->flooded)
		snprintf(buf, n, "stopped after printing more than %zu bytes", maxout);
	else if (r->signal)
		snprintf(buf, n, "killed by signal %d", r->signal);
	else
		snprintf(buf, n, "exit %d", r->status);
}

/* The last line of an error tail, for one-line messages. */
static const char *last_line(const char *tail, char *buf, size_t n)
{
	size_t len = strlen(tail);
	while (len > 0 && (tail[len - 1] == '\n' || tail[len - 1] == '\r'))
		len--;
	size_t start = len;
	while (start > 0 && tail[start - 1] != '\n')
		start--;
	size_t k = len - start < n - 1 ? len - start : n - 1;
	memcpy(buf, tail + start, k);
	buf[k] = '\0';
	for (char *s = buf; *s; s++)
		if ((unsigned char)*s < 0x20)
			*s = ' ';
	return buf;
}

/* ---- the prompt ---- */

static const char *const act_names[] = {"linear", "relu"};

/* The task: block shapes, part, clock, bound and reward, and how the reward is made. */
static void write_task(jw *w, const project *p)
{
	jw_key(w, "task");
	jw_obj(w);
	jw_key(w, "block");
	jw_obj(w);
	jw_key(w, "layers");
	jw_arr(w);
	for (int i = 0; i < p->n_layers; i++) {
		const layer *l = &p->layers[i];
		jw_obj(w);
		jw_kstr(w, "name", l->name);
		jw_klong(w, "n_in", l->n_in);
		jw_klong(w, "n_out", l->n_out);
		jw_kstr(w, "activation", act_names[l->act == ACT_RELU]);
		jw_kbool(w, "bias", l->bias);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_klong(w, "macs", project_macs(p));
	jw_end_obj(w);
	jw_key(w, "part");
	jw_obj(w);
	jw_kstr(w, "name", p->part.name);
	jw_kstr(w, "device", p->part.device);
	jw_klong(w, "lut", p->part.lut);
	jw_klong(w, "ff", p->part.ff);
	jw_klong(w, "dsp", p->part.dsp);
	jw_klong(w, "bram18", p->part.bram18);
	jw_klong(w, "dsp_a_bits", p->part.dsp_a);
	jw_klong(w, "dsp_b_bits", p->part.dsp_b);
	jw_end_obj(w);
	jw_kdouble(w, "clock_ns", p->clock_ns);
	jw_kdouble(w, "eps_max", p->eps_max);
	const reward_spec *rw = &p->reward;
	double ref = rw->latency_ref_ns > 0 ? rw->latency_ref_ns : (double)project_macs(p) * p->clock_ns;
	jw_key(w, "reward");
	jw_obj(w);
	jw_kdouble(w, "latency", rw->w_latency);
	jw_kdouble(w, "lut", rw->w_lut);
	jw_kdouble(w, "ff", rw->w_ff);
	jw_kdouble(w, "dsp", rw->w_dsp);
	jw_kdouble(w, "bram", rw->w_bram);
	jw_kdouble(w, "latency_ref_ns", ref);
	jw_end_obj(w);
	jw_kstr(w, "objective",
		"Maximise reward = tier + score (score in [0,1)). Tier 0 failed (invalid config or a "
		"failed step). Tier 1 accuracy miss: max_err > eps_max, score eps_max/max_err. Tier 2 "
		"over budget: accurate but LUT, FF, DSP or BRAM18 above the part, score 1/(worst "
		"used/available). Tier 3 feasible: score 1/(1+cost), cost = latency*latency_ns/"
		"latency_ref_ns + lut*LUT/part + ff*FF/part + dsp*DSP/part + bram*BRAM18/part. max_err "
		"is the largest |fixed-point - float| block output over the calibration inputs (a "
		"bit-accurate C simulation); resources and latency come from an analytical model "
		"(or synthesis: see each record's fidelity).");
	jw_end_obj(w);
}

static void write_format(jw *w, const project *p)
{
	jw_key(w, "config_format");
	jw_obj(w);
	jw_kstr(w, "description",
		"An hls4ml HLSConfig in YAML: LayerName.input.Precision.result is the input type; for "
		"every block layer, LayerName.<layer>.Precision.{weight,bias,accum,result}, "
		"ReuseFactor and Strategy. Model: {Precision, ReuseFactor, Strategy} may give "
		"defaults; 'accum: auto' is hls4ml's lossless accumulator.");
	jw_key(w, "rules");
	jw_arr(w);
	jw_str(w, "Types: ap_fixed<W,I> (signed) or ap_ufixed<W,I>, optionally "
		  "ap_fixed<W,I,Q,O> with Q in AP_TRN, AP_TRN_ZERO, AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, "
		  "AP_RND_INF, AP_RND_CONV and O in AP_WRAP, AP_SAT, AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP_SM. "
		  "W is 1..64 total bits, I the integer bits (sign included), W-I fractional bits.");
	jw_str(w, "Quote a type inside { } flow mappings: {weight: 'ap_fixed<8,3>'}.");
	jw_str(w, "ReuseFactor: an integer 1..n_in*n_out of the layer; the layer then uses "
		  "ceil(n_in*n_out/RF) multipliers and takes about RF cycles. With Strategy Resource, "
		  "hls4ml accepts only a divisor of n_in below n_in, or n_in times a divisor of n_out.");
	jw_str(w, "Strategy: Latency or Resource.");
	jw_str(w, "The result type of a layer is the input type of the next; after a ReLU it is "
		  "never negative. The accumulator holds the sum of n_in products plus the bias: "
		  "too few integer bits overflow, too few fractional bits round.");
	jw_str(w, "A config evaluated before is not evaluated again; do not repeat one, and do not "
		  "repeat a failure.");
	jw_end_arr(w);
	config d;
	config_default(p, &d);
	strbuf b = {0};
	config_write_canonical(&d, p, &b);
	jw_kstr(w, "default", b.s);
	sb_free(&b);
	config_free(&d);
	jw_end_obj(w);
}

/* One record, as the prompt shows it (full: with error, failed step and origin). */
static void write_record(jw *w, const record *r, bool full)
{
	jw_obj(w);
	jw_kstr(w, "id", r->id);
	jw_klong(w, "round", r->round);
	jw_kstr(w, "tier", reward_tier_name(r->tier));
	jw_kdouble(w, "reward", r->reward);
	if (r->tier != TIER_FAILED || full) {
		jw_kdouble(w, "max_err", r->max_err);
		jw_kdouble(w, "lut", r->lut);
		jw_kdouble(w, "ff", r->ff);
		jw_kdouble(w, "dsp", r->dsp);
		jw_kdouble(w, "bram18", r->bram18);
		jw_kdouble(w, "latency_cycles", r->latency_cycles);
		jw_kdouble(w, "latency_ns", r->latency_ns);
		if (r->fidelity)
			jw_kstr(w, "fidelity", r->fidelity);
		if (r->layer_err && r->n_layers > 0) {
			jw_key(w, "layer_max_err");
			jw_arr(w);
			for (int i = 0; i < r->n_layers; i++)
				jw_double(w, r->layer_err[i]);
			jw_end_arr(w);
		}
	}
	if (full || r->tier == TIER_FAILED) {
		jw_kbool(w, "valid", r->valid);
		if (r->failed_step)
			jw_kstr(w, "failed_step", r->failed_step);
		if (r->error)
			jw_kstr(w, "error", r->error);
	}
	if (r->origin)
		jw_kstr(w, "origin", r->origin);
	jw_kstr(w, "config", r->config ? r->config : "");
	jw_end_obj(w);
}

/* Indices of h's records with distinct ids (the first of each), in order. */
static int distinct(const history *h, int *idx)
{
	int n = 0;
	for (int k = 0; h && k < h->n; k++) {
		bool dup = false;
		for (int j = 0; j < n && !dup; j++)
			dup = strcmp(h->r[idx[j]].id, h->r[k].id) == 0;
		if (!dup)
			idx[n++] = k;
	}
	return n;
}

static const history *sort_h; /* for cmp_best: qsort has no context argument */

/* Best reward first, then the earlier record. */
static int cmp_best(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	double rx = sort_h->r[x].reward, ry = sort_h->r[y].reward;
	rx = rx == rx ? rx : -1;
	ry = ry == ry ? ry : -1;
	if (rx != ry)
		return rx > ry ? -1 : 1;
	return (x > y) - (x < y);
}

static void write_history(jw *w, const history *h)
{
	int n0 = h ? h->n : 0;
	int *idx = xcalloc((size_t)(n0 > 0 ? n0 : 1), sizeof *idx);
	int *best = xcalloc((size_t)(n0 > 0 ? n0 : 1), sizeof *best);
	int n = distinct(h, idx);
	long counts[4] = {0}, last = -1;
	for (int k = 0; k < n; k++) {
		const record *r = &h->r[idx[k]];
		counts[r->tier >= TIER_FAILED && r->tier <= TIER_FEASIBLE ? r->tier : 0]++;
		last = r->round > last ? r->round : last;
	}
	jw_key(w, "history");
	jw_obj(w);
	jw_klong(w, "records", n);
	jw_key(w, "by_tier");
	jw_obj(w);
	for (int t = TIER_FAILED; t <= TIER_FEASIBLE; t++)
		jw_klong(w, reward_tier_name((reward_tier)t), counts[t]);
	jw_end_obj(w);
	int nb = 0;
	for (int k = 0; k < n; k++)
		if (h->r[idx[k]].tier != TIER_FAILED)
			best[nb++] = idx[k];
	sort_h = h;
	qsort(best, (size_t)nb, sizeof *best, cmp_best);
	if (nb > PROMPT_BEST)
		nb = PROMPT_BEST;
	jw_kdouble(w, "best_reward", nb ? h->r[best[0]].reward : 0);
	jw_key(w, "best");
	jw_arr(w);
	for (int k = 0; k < nb; k++)
		write_record(w, &h->r[best[k]], false);
	jw_end_arr(w);
	jw_key(w, "failures");
	jw_arr(w);
	for (int k = n - 1, m = 0; k >= 0 && m < PROMPT_FAILURES; k--)
		if (h->r[idx[k]].tier == TIER_FAILED) {
			write_record(w, &h->r[idx[k]], false);
			m++;
		}
	jw_end_arr(w);
	jw_key(w, "last_round");
	jw_arr(w);
	for (int k = 0, m = 0; k < n && m < PROMPT_LAST; k++) {
		const record *r = &h->r[idx[k]];
		bool shown = r->tier == TIER_FAILED;
		for (int j = 0; j < nb && !shown; j++)
			shown = best[j] == idx[k];
		if (r->round == last && !shown) {
			write_record(w, r, false);
			m++;
		}
	}
	jw_end_arr(w);
	jw_end_obj(w);
	free(idx);
	free(best);
}

void author_prompt(const author_ctx *ctx, strbuf *b)
{
	const project *p = ctx->p;
	jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kstr(&w, "protocol", AUTHOR_PROTOCOL);
	jw_klong(&w, "round", ctx->round);
	jw_klong(&w, "want", ctx->want - ctx->out.n);
	jw_klong(&w, "seed", p->search.seed);
	write_task(&w, p);
	write_format(&w, p);
	write_history(&w, ctx->h);
	jw_kstr(&w, "reply",
		"Print a JSON array of `want` new candidate configs on stdout, each a string holding "
		"one config in the YAML format above, or an object {\"config\": \"<yaml>\", \"why\": "
		"\"<one line>\"}. Learn from the history: keep what met eps_max, widen what missed "
		"it, raise ReuseFactor where a resource is over the part, trade precision and "
		"ReuseFactor for cost while max_err stays below eps_max.");
	jw_end_obj(&w);
}

/* ---- reading configs out of the output ---- */

/* Index just past the JSON value at s[i] (string, object or array, balanced and aware of
 * strings; anything else up to a ',', ']', '}' or a line end), or 0 if it is cut off. */
static size_t json_skip(const char *s, size_t len, size_t i)
{
	if (s[i] != '"' && s[i] != '{' && s[i] != '[') {
		while (i < len && s[i] != ',' && s[i] != ']' && s[i] != '}' && s[i] != '\n')
			i++;
		return i;
	}
	int depth = 0;
	bool str = false;
	for (; i < len; i++) {
		char c = s[i];
		if (str) {
			if (c == '\\')
				i++;
			else if (c == '"') {
				str = false;
				if (depth == 0)
					return i + 1;
			}
		} else if (c == '"') {
			str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The 4 hex digits at s, or -1. */
static long hex4(const char *s, size_t left)
{
	if (left < 4)
		return -1;
	long v = 0;
	for (int k = 0; k < 4; k++) {
		int h = hexval(s[k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static void put_utf8(strbuf *b, unsigned long cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	}
	sb_add(b, u, n);
}

/* Decodes the JSON string s[0..n) (with its quotes) into b. Bad escapes are kept as they are
 * (the config then fails validation and says so). */
static void json_unquote(const char *s, size_t n, strbuf *b)
{
	for (size_t i = 1; i + 1 < n; i++) {
		if (s[i] != '\\' || i + 2 >= n) {
			sb_add(b, s + i, 1);
			continue;
		}
		char c = s[++i];
		const char *simple = strchr("\"\\/bfnrt", c);
		if (c && simple) {
			static const char out[] = "\"\\/\b\f\n\r\t";
			sb_add(b, &out[simple - "\"\\/bfnrt"], 1);
		} else if (c == 'u') {
			long cp = hex4(s + i + 1, n - 1 - (i + 1));
			if (cp < 0) {
				sb_add(b, s + i - 1, 2);
				continue;
			}
			i += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < n && s[i + 1] == '\\' && s[i + 2] == 'u') {
				long lo = hex4(s + i + 3, n - 1 - (i + 3));
				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				}
			}
			if (cp >= 0xd800 && cp < 0xe000)
				cp = 0xfffd; /* a lone surrogate */
			put_utf8(b, (unsigned long)cp);
		} else {
			sb_add(b, s + i - 1, 2);
		}
	}
}

/* Offers one config text; counts what became of it. */
static void offer_one(author_ctx *ctx, const char *text, size_t len, const char *origin,
		      author_cmd_stats *st)
{
	st->items++;
	if (author_full(ctx)) {
		st->unused++;
		ctx->offers++;
		return;
	}
	if (len > MAX_CONFIG_BYTES || memchr(text, '\0', len)) {
		st->dropped++; /* author_offer_text refuses it outright */
		ctx->offers++;
		return;
	}
	int n0 = ctx->out.n;
	author_offer_text(ctx, text, len, origin);
	if (ctx->out.n > n0) {
		st->accepted++;
		st->invalid += !ctx->out.c[ctx->out.n - 1].valid;
	} else {
		st->repeats++;
	}
}

/* An item of a JSON array: a string (the config), an object ({"config": ..., "why": ...}, or
 * the config itself as JSON), or anything else (offered as it is: it fails validation). */
static void offer_item(author_ctx *ctx, const char *s, size_t n, const char *prefix, int k,
		       author_cmd_stats *st)
{
	strbuf text = {0}, origin = {0};
	sb_printf(&origin, "%s item %d", prefix, k);
	if (s[0] == '"') {
		json_unquote(s, n, &text);
	} else if (s[0] == '{') {
		ydoc d;
		berr e;
		const ynode *cfg = NULL, *why = NULL;
		if (ydoc_parse("item", s, n, &d, &e) == 0) {
			cfg = ymap_get(d.root, "config");
			why = ymap_get(d.root, "why");
			if (cfg && cfg->kind == YN_SCALAR) {
				sb_puts(&text, cfg->str);
				if (why && why->kind == YN_SCALAR)
					sb_printf(&origin, ": %s", why->str);
			} else {
				cfg = NULL;
			}
			ydoc_free(&d);
		}
		if (!cfg)
			sb_add(&text, s, n);
	} else {
		sb_add(&text, s, n);
	}
	offer_one(ctx, text.s ? text.s : "", text.len, origin.s, st);
	sb_free(&text);
	sb_free(&origin);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The offset of the first line that starts (after blanks) with '[' followed by '"', '{' or
 * ']' (so a log line "[INFO] ..." is not taken for the list), or len. */
static size_t find_array(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
			j++;
		if (j < len && s[j] == '[') {
			size_t k = j + 1;
			while (k < len && is_space(s[k]))
				k++;
			if (k < len && (s[k] == '"' || s[k] == '{' || s[k] == ']'))
				return j;
		}
		const char *nl = memchr(s + i, '\n', len - i);
		if (!nl)
			break;
		i = (size_t)(nl - s) + 1;
	}
	return len;
}

/* True if s[0..n) holds only blanks and comments. */
static bool blank(const char *s, size_t n)
{
	bool comment = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			comment = false;
		else if (s[i] == '#' && !comment)
			comment = true;
		else if (!comment && !is_space(s[i]))
			return false;
	}
	return true;
}

/* YAML documents: split at lines "---" (and "..."), with Markdown fence lines (```) dropped. */
static void offer_documents(author_ctx *ctx, const char *s, size_t len, const char *prefix,
			    author_cmd_stats *st)
{
	strbuf doc = {0};
	int k = 0;
	size_t i = 0;
	for (;;) {
		const char *nl = i < len ? memchr(s + i, '\n', len - i) : NULL;
		size_t end = nl ? (size_t)(nl - s) : len;
		const char *line = s + i;
		size_t n = end - i;
		bool sep = i >= len || ((n >= 3 && (strncmp(line, "---", 3) == 0 || strncmp(line, "...", 3) == 0)) &&
					(n == 3 || is_space(line[3]) || line[3] == '#'));
		bool fence = n >= 3 && strncmp(line, "```", 3) == 0;
		if (sep || fence) {
			if (doc.len && !blank(doc.s, doc.len)) {
				char origin[64];
				snprintf(origin, sizeof origin, "%s document %d", prefix, ++k);
				offer_one(ctx, doc.s, doc.len, origin, st);
			}
			doc.len = 0;
			if (doc.s)
				doc.s[0] = '\0';
		} else {
			sb_add(&doc, line, n);
			sb_add(&doc, "\n", 1);
		}
		if (i >= len || !nl)
			break;
		i = end + 1;
	}
	if (doc.len && !blank(doc.s, doc.len)) {
		char origin[64];
		snprintf(origin, sizeof origin, "%s document %d", prefix, ++k);
		offer_one(ctx, doc.s, doc.len, origin, st);
	}
	sb_free(&doc);
}

void author_offer_output(author_ctx *ctx, const char *out, size_t len, const char *prefix,
			 author_cmd_stats *st)
{
	memset(st, 0, sizeof *st);
	size_t i = find_array(out, len);
	if (i >= len) {
		offer_documents(ctx, out, len, prefix, st);
		return;
	}
	st->junk = !blank(out, i);
	i++;
	for (int k = 1;; k++) {
		while (i < len && is_space(out[i]))
			i++;
		if (i >= len) {
			st->junk = true; /* cut off */
			return;
		}
		if (out[i] == ']')
			break;
		size_t end = json_skip(out, len, i);
		if (end == 0 || end <= i) {
			st->junk = true; /* an item cut off: not offered (the text is incomplete) */
			return;
		}
		offer_item(ctx, out + i, end - i, prefix, k, st);
		i = end;
		while (i < len && is_space(out[i]))
			i++;
		if (i < len && out[i] == ',') {
			i++;
			continue;
		}
		if (i < len && out[i] == ']')
			break;
		st->junk = true; /* neither ',' nor ']': the list ends here */
		return;
	}
	st->junk = st->junk || !blank(out + i + 1, len - i - 1);
}

/* ---- the strategy ---- */

int author_command(author_ctx *ctx, char *const argv[], const author_cmd_opts *opts,
		   author_cmd_stats *st, berr *e)
{
	author_cmd_stats local;
	if (!st)
		st = &local;
	memset(st, 0, sizeof *st);
	if (ctx->round == 0) {
		config d;
		config_default(ctx->p, &d);
		author_offer(ctx, &d, "command: default start");
		config_free(&d);
	}
	if (author_full(ctx))
		return 0;
	strbuf prompt = {0};
	author_prompt(ctx, &prompt);
	author_cmd_result r;
	int rc = author_cmd_run(argv, prompt.s, prompt.len, opts, AUTHOR_CMD_TIMEOUT_S, &r, e);
	sb_free(&prompt);
	if (rc != 0)
		return -1;
	author_offer_output(ctx, r.out, r.out_len, "command:", st);
	double timeout = opts && opts->timeout_s > 0 ? opts->timeout_s : AUTHOR_CMD_TIMEOUT_S;
	size_t maxout = opts && opts->max_output ? opts->max_output : AUTHOR_CMD_MAX_OUTPUT;
	char how[96], line[256];
	describe(&r, timeout, maxout, how, sizeof how);
	last_line(r.err_tail, line, sizeof line);
	rc = 0;
	if (r.status != 0 || r.timed_out || r.flooded)
		rc = errf(e, "author command %s: %s; %d configs read from its output%s%s", argv[0], how,
			  st->items, line[0] ? "; stderr: " : "", line);
	else if (st->items == 0)
		rc = errf(e, "author command %s printed no configs (%zu bytes of output)%s%s", argv[0],
			  r.out_len, line[0] ? "; stderr: " : "", line);
	author_cmd_result_free(&r);
	return rc;
}

/* ---- the trainer ---- */

void author_train_input(const project *p, const history *h, long round, strbuf *b)
{
	jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kstr(&w, "protocol", AUTHOR_TRAIN_PROTOCOL);
	jw_klong(&w, "round", round);
	jw_klong(&w, "seed", p->search.seed);
	write_task(&w, p);
	write_format(&w, p);
	jw_key(&w, "records");
	jw_arr(&w);
	for (int k = 0; h && k < h->n; k++)
		write_record(&w, &h->r[k], true);
	jw_end_arr(&w);
	jw_end_obj(&w);
}

int author_train(const project *p, const history *h, long round, char *const argv[],
		 const author_cmd_opts *opts, strbuf *log, berr *e)
{
	strbuf in = {0};
	author_train_input(p, h, round, &in);
	author_cmd_result r;
	int rc = author_cmd_run(argv, in.s, in.len, opts, AUTHOR_TRAIN_TIMEOUT_S, &r, e);
	sb_free(&in);
	if (rc != 0)
		return -1;
	if (log) {
		sb_add(log, r.out, r.out_len);
		sb_puts(log, r.err_tail);
	}
	double timeout = opts && opts->timeout_s > 0 ? opts->timeout_s : AUTHOR_TRAIN_TIMEOUT_S;
	size_t maxout = opts && opts->max_output ? opts->max_output : AUTHOR_CMD_MAX_OUTPUT;
	char how[96], line[256];
	describe(&r, timeout, maxout, how, sizeof how);
	last_line(r.err_tail, line, sizeof line);
	if (r.status != 0 || r.timed_out || r.flooded)
		rc = errf(e, "train command %s: %s%s%s", argv[0], how, line[0] ? "; stderr: " : "",
			  line);
	author_cmd_result_free(&r);
	return rc;
}
