/* The commands `ikegate` runs itself, without the daemon. */
#ifndef IKG_CLI_LOCAL_H
#define IKG_CLI_LOCAL_H

/* check-config FILE: parse + lint; errors and warnings on stdout; 1 on errors, else 0. */
int check_config_main(const char *path);
/* demo: execs scripts/demo.sh (only returns on failure, with exit code 1). */
int demo_main(int argc, char **argv);
/* menu: the console menu over the control socket. */
int menu_main(const char *sock);
/* Runs one command line typed at the menu's Ctrl-N prompt; output into out. Returns the exit
 * code the same command would have from the shell. */
struct strbuf;
int cli_run_line(const char *sock, const char *line, struct strbuf *out);

#endif
