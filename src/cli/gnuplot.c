/*
 * gnuplot.c - find gnuplot on PATH and run a script with it.
 *
 * PATH is read here, in the CLI, never in the simulation. gnuplot's own
 * messages go to a log beside the figures, so a broken script leaves a
 * trace without cluttering the run's summary.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gnuplot.h"

bool rdsim_gnuplot_find(char *buf, size_t n)
{
    const char *path = getenv("PATH");

    while (path && *path) {
        size_t len = strcspn(path, ":");
        snprintf(buf, n, "%.*s/gnuplot", (int)len, len ? path : ".");
        if (access(buf, X_OK) == 0)
            return true;
        path += len + (path[len] == ':');
    }
    return false;
}

/* The first line of the log that gnuplot flagged as an error, or its last. */
static void log_excerpt(const char *log, char *out, size_t n)
{
    char line[512];
    FILE *f = fopen(log, "r");

    out[0] = '\0';
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0])
            snprintf(out, n, "%s", line);
        if (strstr(line, "rror"))
            break;
    }
    fclose(f);
}

int rdsim_gnuplot_run(const char *gnuplot, const char *dir, const char *script,
                      const char *formats, struct rdsim_err *err)
{
    char log[4096], setting[64], excerpt[512];
    int status;
    pid_t pid;

    snprintf(log, sizeof(log), "%s/gnuplot.log", dir);
    snprintf(setting, sizeof(setting), "formats='%s'", formats);
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return rdsim_err_set(err, RDSIM_EIO, "cannot start gnuplot: %s", strerror(errno));
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (fd < 0 || chdir(dir) != 0)
            _exit(126);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
        execl(gnuplot, "gnuplot", "-e", setting, script, (char *)NULL);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return rdsim_err_set(err, RDSIM_EIO, "gnuplot: %s", strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    log_excerpt(log, excerpt, sizeof(excerpt));
    return rdsim_err_set(err, RDSIM_EIO, "gnuplot failed on %s/%s: %s (all of it: %s)", dir,
                         script, excerpt[0] ? excerpt : "no message", log);
}

void rdsim_gnuplot_missing(const char *dir, const char *command)
{
    fprintf(stderr,
            "rdsim: gnuplot was not found, so no figure was drawn; the data and scripts are "
            "in %s/.\n"
            "       To draw them, install gnuplot (Debian: apt-get install gnuplot-nox) and "
            "run: %s\n",
            dir, command);
}
