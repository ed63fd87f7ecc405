/*
 * sweep_engines.c - the three ways rdsim sweep gets its runs done: worker
 * processes on this machine (--jobs N, with a progress line), GNU parallel
 * (a job list it reads, --sshlogin and --joblog as its users know them)
 * and a Slurm job array (a script, submitted with sbatch).
 *
 * Every engine ends in the same `rdsim sweep run-one` or run-chunk
 * (sweep_worker.c), so the rows, and the aggregate made from them, are the
 * same bytes whichever ran them. There is no scheduler here beyond "keep N
 * children busy": GNU parallel and Slurm do their own.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rdsim/sweep.h"

#include "commands.h"
#include "sweep_cli.h"

extern char **environ;

int sweep_self_path(char *buf, size_t n)
{
    ssize_t k = readlink("/proc/self/exe", buf, n - 1);
    if (k <= 0)
        return -1;
    buf[k] = '\0';
    return 0;
}

static bool on_path(const char *prog)
{
    char buf[4096];
    const char *path = getenv("PATH");
    while (path && *path) {
        size_t len = strcspn(path, ":");
        snprintf(buf, sizeof buf, "%.*s/%s", (int)len, len ? path : ".", prog);
        if (access(buf, X_OK) == 0)
            return true;
        path += len + (path[len] == ':');
    }
    return false;
}

/* Run argv (looked up on PATH) and wait: its exit status, 127 when it could
 * not start, 128+N when killed by signal N. */
static int spawn_wait(char *const *argv)
{
    pid_t pid;
    int status;
    fflush(NULL);
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return 127;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- the local engine ----------------------------------------------------------------- */

struct job {
    size_t point;
    uint64_t seed;
};

struct progress {
    bool on;
    const char *name;
    double start, last;
};

static void progress_draw(struct progress *pg, size_t done, size_t total, bool final)
{
    if (!pg->on)
        return;
    double now = rdsim_cli_mono_now();
    if (!final && now - pg->last < 0.25)
        return;
    pg->last = now;
    double el = now - pg->start, rate = el > 0 ? (double)done / el : 0;
    char left[32] = "?";
    if (rate > 0) {
        long s = (long)((double)(total - done) / rate + 0.5);
        if (s >= 3600)
            snprintf(left, sizeof left, "%ldh%02ldm", s / 3600, s % 3600 / 60);
        else
            snprintf(left, sizeof left, "%ldm%02lds", s / 60, s % 60);
    }
    fprintf(stderr, "\r\033[K%s: %zu/%zu runs (%3.0f%%), %.2f runs/s, %s left", pg->name, done,
            total, 100.0 * (double)done / (double)total, rate, left);
    if (final)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

/* SIGINT or SIGTERM to the sweep: stop starting runs, pass it on to the
 * running ones (a Ctrl+C reaches them anyway; a kill of the parent alone
 * must not leave them orphaned) and wait for them. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

static int run_pool(const char *self, const char *dir, const struct job *jobs, size_t n,
                    long workers, bool show, const char *name)
{
    pid_t *pids = calloc((size_t)workers, sizeof *pids);
    size_t *slot_job = calloc((size_t)workers, sizeof *slot_job);
    size_t next = 0, done = 0, running = 0;
    struct progress pg = {show, name, rdsim_cli_mono_now(), 0};
    int status = RDSIM_EXIT_OKAY;
    if (pids == NULL || slot_job == NULL) {
        free(pids);
        free(slot_job);
        fprintf(stderr, "rdsim: out of memory\n");
        return RDSIM_EXIT_INTERNAL;
    }
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    fflush(NULL);
    while (done < n) {
        if (stop_signal) {
            for (long w = 0; w < workers; w++)
                if (pids[w] != 0)
                    kill(pids[w], (int)stop_signal);
            next = n;
        }
        while (running < (size_t)workers && next < n) {
            char ps[32], ss[32];
            snprintf(ps, sizeof ps, "%zu", jobs[next].point);
            snprintf(ss, sizeof ss, "%llu", (unsigned long long)jobs[next].seed);
            char *argv[] = {(char *)self, "sweep", "run-one", (char *)dir, ps, ss, NULL};
            long w = 0;
            while (pids[w] != 0)
                w++;
            if (posix_spawn(&pids[w], self, NULL, NULL, argv, environ) != 0) {
                fprintf(stderr, "rdsim: cannot start a worker: %s\n", strerror(errno));
                status = RDSIM_EXIT_INTERNAL;
                pids[w] = 0;
                next = n; /* start no more; wait for the running ones */
                break;
            }
            slot_job[w] = next++;
            running++;
        }
        if (running == 0)
            break;
        int ws;
        pid_t pid = waitpid(-1, &ws, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            status = RDSIM_EXIT_INTERNAL;
            break;
        }
        if (stop_signal) {
            /* A run stopped by the user has no verdict: leave it missing. */
            for (long w = 0; w < workers; w++)
                if (pids[w] == pid)
                    pids[w] = 0;
            running--;
            continue;
        }
        long w = 0;
        while (w < workers && pids[w] != pid)
            w++;
        if (w == workers)
            continue; /* not ours */
        pids[w] = 0;
        running--;
        done++;
        const struct job *j = &jobs[slot_job[w]];
        char row[4200];
        sweep_row_path(row, sizeof row, dir, j->point, j->seed);
        if (access(row, F_OK) != 0) {
            /* Killed, or could not write: still a row, never a gap. */
            struct rdsim_sweep_row r = {.point = j->point, .seed = j->seed};
            r.exit_code = WIFEXITED(ws) ? (WEXITSTATUS(ws) ? WEXITSTATUS(ws) : 1)
                                        : 128 + WTERMSIG(ws);
            struct rdsim_err err = {0};
            if (sweep_write_row(dir, &r, &err) != 0) {
                fprintf(stderr, "rdsim: %s\n", err.msg);
                status = RDSIM_EXIT_INTERNAL;
            }
        }
        progress_draw(&pg, done, n, false);
    }
    progress_draw(&pg, done, n, true);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    free(pids);
    free(slot_job);
    if (stop_signal) {
        fprintf(stderr, "rdsim: stopped by signal %d after %zu of %zu runs; the same command "
                "with --resume runs the rest\n", (int)stop_signal, done, n);
        return RDSIM_EXIT_INTERNAL;
    }
    return status;
}

int sweep_run_local(const struct rdsim_sweep *sw, const struct sweep_engine_opts *o,
                    bool *collect)
{
    size_t runs = sw->n_points * sw->n_seeds, n = 0;
    struct job *list = malloc(runs * sizeof *list);
    char row[4200];
    *collect = false;
    if (list == NULL) {
        fprintf(stderr, "rdsim: out of memory\n");
        return RDSIM_EXIT_INTERNAL;
    }
    for (size_t p = 0; p < sw->n_points; p++)
        for (size_t s = 0; s < sw->n_seeds; s++) {
            sweep_row_path(row, sizeof row, o->dir, p + 1, sw->seeds[s]);
            if (o->kept && access(row, F_OK) == 0)
                continue;
            list[n++] = (struct job){p + 1, sw->seeds[s]};
        }
    int status = run_pool(o->self, o->dir, list, n, o->jobs, !o->quiet && isatty(STDERR_FILENO),
                          sw->name);
    free(list);
    *collect = true;
    return status;
}

/* ---- GNU parallel ---------------------------------------------------------------------------- */

int sweep_run_parallel(const struct rdsim_sweep *sw, const struct sweep_engine_opts *o,
                       bool *collect)
{
    struct rdsim_err err = {0};
    *collect = false;
    if (!on_path("parallel")) {
        fprintf(stderr, "rdsim: --engine parallel needs GNU parallel (Debian package "
                "parallel), which is not on PATH\n");
        return RDSIM_EXIT_BAD_INPUT;
    }
    char jobs_s[32], jobs_file[4200];
    const char *av[64 + 2 * SWEEP_MAX_PASS];
    size_t k = 0;
    snprintf(jobs_s, sizeof jobs_s, "%ld", o->jobs);
    snprintf(jobs_file, sizeof jobs_file, "%s/jobs.txt", o->dir);
    av[k++] = "parallel";
    av[k++] = "--will-cite";
    av[k++] = "--colsep";
    av[k++] = " ";
    av[k++] = "--jobs";
    av[k++] = jobs_s;
    if (o->joblog) {
        av[k++] = "--joblog";
        av[k++] = o->joblog;
    }
    /* GNU parallel's --resume reads its joblog, whose sequence numbers
     * are lines of jobs.txt; without a joblog, rdsim resumes by
     * handing it only the runs that have no row. */
    if (o->resume && o->kept && o->joblog) {
        av[k++] = "--resume";
    } else if (o->kept) {
        snprintf(jobs_file, sizeof jobs_file, "%s/jobs-todo.txt", o->dir);
        if (sweep_write_todo(sw, o->dir, jobs_file, &err) != 0) {
            fprintf(stderr, "rdsim: %s\n", err.msg);
            return RDSIM_EXIT_INTERNAL;
        }
    }
    for (size_t i = 0; i < o->n_ssh; i++) {
        av[k++] = "--sshlogin";
        av[k++] = o->sshlogins[i];
    }
    if (o->sshloginfile) {
        av[k++] = "--sshloginfile";
        av[k++] = o->sshloginfile;
    }
    if (!o->quiet && isatty(STDERR_FILENO))
        av[k++] = "--bar";
    av[k++] = o->self;
    av[k++] = "sweep";
    av[k++] = "run-one";
    av[k++] = o->dir;
    av[k++] = "{1}";
    av[k++] = "{2}";
    av[k++] = "::::";
    av[k++] = jobs_file;
    av[k] = NULL;
    int st = spawn_wait((char *const *)av);
    *collect = true;
    if (st != 0) {
        fprintf(stderr, "rdsim: GNU parallel exited with status %d%s\n", st,
                st < 100 ? " (that many runs could not write their row)" : "");
        return RDSIM_EXIT_INTERNAL;
    }
    return RDSIM_EXIT_OKAY;
}

/* ---- Slurm ------------------------------------------------------------------------------------ */

static void sh_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    }
    fputc('\'', f);
}

static int write_sbatch(const char *self, const char *dir, const char *name, size_t runs,
                        long chunk, long throttle, char *script, size_t script_n,
                        struct rdsim_err *err)
{
    char sdir[4200];
    size_t tasks = (runs + (size_t)chunk - 1) / (size_t)chunk;
    snprintf(sdir, sizeof sdir, "%s/slurm", dir);
    if (mkdir(sdir, 0777) != 0 && errno != EEXIST)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot create folder: %s", sdir,
                             strerror(errno));
    snprintf(script, script_n, "%s/sweep.sbatch", sdir);
    FILE *f = fopen(script, "w");
    if (f == NULL)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", script, strerror(errno));
    fprintf(f, "#!/bin/sh\n"
               "# rdsim sweep %s: %zu runs in %zu array tasks of %ld (the lines of jobs.txt).\n"
               "# Submit with: sbatch %s\n"
               "# When it has finished (or to look while it runs): rdsim sweep collect %s\n",
            name, runs, tasks, chunk, script, dir);
    fprintf(f, "#SBATCH --job-name=rdsim-sweep\n#SBATCH --array=0-%zu", tasks - 1);
    if (throttle > 0)
        fprintf(f, "%%%ld", throttle);
    fprintf(f, "\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n"
               "#SBATCH --output=%s/task-%%a.out\n", sdir);
    fputs("exec ", f);
    sh_quote(f, self);
    fputs(" sweep run-chunk ", f);
    sh_quote(f, dir);
    fprintf(f, " \"$SLURM_ARRAY_TASK_ID\" %ld\n", chunk);
    if (fclose(f) != 0)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write", script);
    chmod(script, 0755);
    return 0;
}

int sweep_run_slurm(const struct rdsim_sweep *sw, const struct sweep_engine_opts *o,
                    bool *collect)
{
    struct rdsim_err err = {0};
    char script[4300];
    size_t runs = sw->n_points * sw->n_seeds;
    long chunk = o->chunk ? o->chunk : (long)((runs + 999) / 1000);
    int rc, status = RDSIM_EXIT_OKAY;
    *collect = false;
    if ((rc = write_sbatch(o->self, o->dir, sw->name, runs, chunk, o->throttle, script,
                           sizeof script, &err)) != 0) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        return rdsim_exit_for(rc);
    }
    if (o->emit) {
        if (!o->quiet)
            printf("wrote %s\nsubmit it with: sbatch %s\nthen: rdsim sweep collect %s\n",
                   script, script, o->out_dir);
        return RDSIM_EXIT_OKAY;
    }
    if (!on_path("sbatch")) {
        fprintf(stderr, "rdsim: --engine slurm needs sbatch (Slurm's client, Debian "
                "package slurm-client) on PATH; --emit writes the script only\n");
        return RDSIM_EXIT_BAD_INPUT;
    }
    const char *av[8 + SWEEP_MAX_PASS];
    size_t k = 0;
    av[k++] = "sbatch";
    if (o->wait)
        av[k++] = "--wait";
    for (size_t i = 0; i < o->n_sbatch; i++)
        av[k++] = o->sbatch_args[i];
    av[k++] = script;
    av[k] = NULL;
    int st = spawn_wait((char *const *)av);
    if (st != 0) {
        fprintf(stderr, "rdsim: sbatch exited with status %d\n", st);
        status = RDSIM_EXIT_INTERNAL;
    }
    if (!o->wait) {
        if (st == 0 && !o->quiet)
            printf("when the job has finished: rdsim sweep collect %s\n", o->out_dir);
        return status;
    }
    *collect = true;
    return status;
}
