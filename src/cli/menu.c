/* ikegate menu: the console in the technote's style. Main Menu -> Quick View -> VPN Quick View
 * (refreshed every second), Statistics & Logs -> WAN Event History (scrollable between the
 * -----SCROLL UP----- / -----SCROLL DOWN----- markers; Return on an error line shows its
 * detail; "Clear History..."), Ctrl-N: a command line whose commands run through the control
 * socket. Return enters, Escape leaves. */
#include <stdio.h>

#include "cli/local.h"

#ifndef IKG_HAVE_CURSES

int menu_main(const char *sock)
{
	(void)sock;
	fprintf(stderr, "ikegate: built without ncursesw: the menu is not available "
		"(install libncurses-dev and rebuild)\n");
	return 1;
}

#else

#include <curses.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/client.h"
#include "common/strbuf.h"
#include "daemon/ctlproto.h"

#define KEY_ESC 27
#define KEY_CTRL_N 14
#define MENU_CMDLINE -2   /* a list returns this when Ctrl-N was pressed */

static const char *g_sock;

static bool is_enter(int ch)
{
	return ch == '\n' || ch == '\r' || ch == KEY_ENTER;
}

/* ---- text helpers ---- */

struct lines {
	char **v;
	size_t n, cap;
};

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void lines_push(struct lines *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	char *c = malloc(len + 1);
	if (!c)
		return;
	memcpy(c, s, len);
	c[len] = '\0';
	for (char *p = c; *p; p++)
		if (*p == '\t')
			*p = ' ';
	l->v[l->n++] = c;
}

static void lines_split(struct lines *l, const char *text)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		lines_push(l, text, len);
		text += len + (nl ? 1 : 0);
	}
}

/* Like lines_split, but long lines are wrapped at width (continuations keep the indentation
 * of the line, plus two). */
static void lines_wrap(struct lines *l, const char *text, size_t width)
{
	struct lines raw = { 0 };
	lines_split(&raw, text);
	if (width < 20)
		width = 20;
	for (size_t i = 0; i < raw.n; i++) {
		const char *s = raw.v[i];
		size_t len = strlen(s), indent = strspn(s, " ") + 2, first = 1;
		if (indent > width / 2)
			indent = 2;
		while (len > 0) {
			size_t room = first ? width : width - indent;
			size_t take = len;
			if (take > room) {
				take = room;
				while (take > room / 2 && s[take] != ' ')
					take--;
				if (s[take] != ' ')
					take = room;
			}
			char buf[512];
			size_t pad = first ? 0 : indent;
			if (pad + take >= sizeof(buf))
				take = sizeof(buf) - pad - 1;
			memset(buf, ' ', pad);
			memcpy(buf + pad, s, take);
			lines_push(l, buf, pad + take);
			s += take;
			len -= take;
			while (len > 0 && *s == ' ') {
				s++;
				len--;
			}
			first = 0;
		}
		if (raw.v[i][0] == '\0')
			lines_push(l, "", 0);
	}
	lines_free(&raw);
}

/* Runs a daemon command (full words); the body or the error in out. true when it succeeded. */
static bool fetch(const char *words, struct strbuf *out)
{
	char err[512];
	int status = 0;
	sb_reset(out);
	if (client_call(g_sock, words, &status, out, err, sizeof(err)) != CLIENT_OK) {
		sb_reset(out);
		sb_printf(out, "%s\n", err);
		return false;
	}
	return status == CTL_OK;
}

/* ---- screen frame ---- */

static void frame(const char *title, const char *footer)
{
	erase();
	int x = (COLS - (int)strlen(title)) / 2;
	attron(A_BOLD);
	mvaddstr(0, x > 0 ? x : 0, title);
	attroff(A_BOLD);
	if (footer) {
		attron(A_DIM);
		mvaddnstr(LINES - 1, 0, footer, COLS - 1);
		attroff(A_DIM);
	}
}

static void put_line(int y, int x, const char *s, bool highlight)
{
	if (highlight)
		attron(A_REVERSE);
	mvaddnstr(y, x, s, COLS - x - 1 > 0 ? COLS - x - 1 : 0);
	if (highlight)
		attroff(A_REVERSE);
}

/* ---- a scrollable text page ---- */

static void page(const char *title, const char *text)
{
	struct lines l = { 0 };
	size_t top = 0;
	lines_wrap(&l, text, COLS > 4 ? (size_t)COLS - 3 : 20);
	for (;;) {
		int rows = LINES - 3;
		frame(title, "Up/Down/PgUp/PgDn: scroll   Escape: back");
		for (int r = 0; r < rows && top + (size_t)r < l.n; r++)
			put_line(2 + r, 1, l.v[top + (size_t)r], false);
		refresh();
		int ch = getch();
		if (ch == KEY_ESC || ch == 'q' || is_enter(ch))
			break;
		if (ch == KEY_DOWN && top + (size_t)rows < l.n)
			top++;
		else if (ch == KEY_UP && top > 0)
			top--;
		else if (ch == KEY_NPAGE)
			top = top + (size_t)rows < l.n ? top + (size_t)rows : top;
		else if (ch == KEY_PPAGE)
			top = top > (size_t)rows ? top - (size_t)rows : 0;
	}
	lines_free(&l);
}

/* ---- the command line (Ctrl-N) ---- */

static void command_line(void)
{
	struct strbuf out;
	char input[256] = "";
	size_t len = 0;
	struct lines l = { 0 };
	size_t top = 0;

	sb_init(&out);
	static const char intro[] = "Type a command (abbreviations work: sh ip nat trans, "
				    "sh vpn --disc; help lists them).";
	lines_push(&l, intro, strlen(intro));
	curs_set(1);
	for (;;) {
		int rows = LINES - 4;
		if (l.n > (size_t)rows && top + (size_t)rows > l.n)
			top = l.n - (size_t)rows;
		frame("Command Line", "Return: run   Escape: back   PgUp/PgDn: scroll");
		for (int r = 0; r < rows && top + (size_t)r < l.n; r++)
			put_line(2 + r, 0, l.v[top + (size_t)r], false);
		mvprintw(LINES - 2, 0, "#%s", input);
		refresh();
		int ch = getch();
		if (ch == KEY_ESC)
			break;
		if (is_enter(ch)) {
			char echo[300];
			snprintf(echo, sizeof(echo), "#%s", input);
			lines_push(&l, echo, strlen(echo));
			sb_reset(&out);
			cli_run_line(g_sock, input, &out);
			lines_wrap(&l, sb_str(&out), COLS > 2 ? (size_t)COLS - 1 : 20);
			input[0] = '\0';
			len = 0;
			top = l.n > (size_t)rows ? l.n - (size_t)rows : 0;
		} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
			if (len > 0)
				input[--len] = '\0';
		} else if (ch == KEY_PPAGE) {
			top = top > (size_t)rows ? top - (size_t)rows : 0;
		} else if (ch == KEY_NPAGE) {
			top += (size_t)rows;
		} else if (ch >= ' ' && ch < 127 && len + 1 < sizeof(input)) {
			input[len++] = (char)ch;
			input[len] = '\0';
		}
	}
	curs_set(0);
	lines_free(&l);
	sb_free(&out);
}

/* ---- a menu list ---- */

static int menu_list(const char *title, const char *const *items, size_t n)
{
	size_t sel = 0;
	for (;;) {
		frame(title, "Return: enter   Escape: leave   Ctrl-N: command line");
		for (size_t i = 0; i < n; i++)
			put_line(3 + (int)i * 2, 20, items[i], i == sel);
		refresh();
		int ch = getch();
		if (ch == KEY_ESC)
			return -1;
		if (ch == KEY_CTRL_N)
			return MENU_CMDLINE;
		if (is_enter(ch))
			return (int)sel;
		if ((ch == KEY_DOWN || ch == '\t') && sel + 1 < n)
			sel++;
		else if (ch == KEY_UP && sel > 0)
			sel--;
	}
}

/* ---- VPN Quick View ---- */

static void vpn_quick_view(void)
{
	struct strbuf body;
	bool discards = false;
	sb_init(&body);
	timeout(1000);
	for (;;) {
		fetch(discards ? "show vpn --discards" : "show vpn", &body);
		frame("VPN Quick View",
		      "Refreshed every second   d: Rx discard reasons   Escape: back");
		struct lines l = { 0 };
		lines_split(&l, sb_str(&body));
		for (size_t i = 0; i < l.n && (int)i < LINES - 3; i++)
			put_line(2 + (int)i, 0, l.v[i], false);
		lines_free(&l);
		refresh();
		int ch = getch();
		if (ch == KEY_ESC)
			break;
		if (ch == 'd')
			discards = !discards;
		if (ch == KEY_CTRL_N) {
			timeout(-1);
			command_line();
			timeout(1000);
		}
	}
	timeout(-1);
	sb_free(&body);
}

/* ---- WAN Event History ---- */

struct entry {
	char *line;
	struct strbuf detail;
};

struct history_view {
	struct entry *v;
	size_t n, cap;
	char error[512];
};

static void hv_free(struct history_view *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].line);
		sb_free(&h->v[i].detail);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

/* "MM/DD/YY HH:MM:SS" at column 0 starts a history line. */
static bool is_event_line(const char *s)
{
	static const char pat[] = "dd/dd/dd dd:dd:dd";
	for (size_t i = 0; i < sizeof(pat) - 1; i++) {
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return false;
	}
	return true;
}

/* `show log --detail`: each history line followed by its indented detail lines. */
static void hv_load(struct history_view *h)
{
	struct strbuf body;
	struct lines l = { 0 };
	hv_free(h);
	sb_init(&body);
	if (!fetch("show log --detail", &body)) {
		snprintf(h->error, sizeof(h->error), "%s", sb_str(&body));
		sb_free(&body);
		return;
	}
	lines_split(&l, sb_str(&body));
	for (size_t i = 0; i < l.n; i++) {
		const char *s = l.v[i];
		if (is_event_line(s)) {
			if (h->n == h->cap) {
				size_t cap = h->cap ? h->cap * 2 : 64;
				struct entry *v = realloc(h->v, cap * sizeof(*v));
				if (!v)
					break;
				h->v = v;
				h->cap = cap;
			}
			struct entry *e = &h->v[h->n++];
			e->line = strdup(s);
			sb_init(&e->detail);
		} else if (h->n > 0 && s[0]) {
			struct entry *e = &h->v[h->n - 1];
			sb_printf(&e->detail, "%s\n", s);
		}
	}
	lines_free(&l);
	sb_free(&body);
}

static bool confirm(const char *question)
{
	frame("WAN Event History", NULL);
	mvprintw(LINES / 2, 4, "%s (y/n) ", question);
	refresh();
	int ch = getch();
	return ch == 'y' || ch == 'Y';
}

static void show_detail(const struct entry *e)
{
	struct strbuf t;
	sb_init(&t);
	sb_printf(&t, "%s\n\n", e->line ? e->line : "");
	if (e->detail.len)
		sb_puts(&t, sb_str(&e->detail));
	else
		sb_puts(&t, "No detail record: this event is not an error.\n");
	page("Event Detail", sb_str(&t));
	sb_free(&t);
}

static void current_date(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	char when[64];
	strftime(when, sizeof(when), "%m/%d/%y %I:%M:%S %p", &tm);
	snprintf(buf, len, "Current Date -- %s", when[0] == '0' ? when + 1 : when);
}

static void wan_event_history(void)
{
	struct history_view h = { 0 };
	size_t sel = 0, top = 0;
	bool follow = true;   /* keep the newest line selected while new ones arrive */

	hv_load(&h);
	sel = h.n;   /* newest last; "Clear History..." is index n */
	timeout(2000);
	for (;;) {
		int rows = LINES - 9;
		if (rows < 3)
			rows = 3;
		if (!h.error[0] && h.n + 1 < (size_t)rows)
			rows = (int)h.n + 1;   /* short history: the markers follow it */
		if (follow)
			sel = h.n ? h.n - 1 : 0;
		if (sel > h.n)
			sel = h.n;
		if (sel < h.n) {
			if (sel < top)
				top = sel;
			if (sel >= top + (size_t)rows)
				top = sel - (size_t)rows + 1;
		}
		char date[80];
		current_date(date, sizeof(date));
		frame("WAN Event History",
		      "Return: detail of an error line   Escape: back   Up/Down/PgUp/PgDn: scroll");
		put_line(2, 0, date, false);
		put_line(4, 0, "-Date---Time---Event-----", false);
		put_line(5, 0, "-----SCROLL UP-----", false);
		int y = 6;
		if (h.error[0]) {
			put_line(y++, 0, h.error, false);
		} else {
			for (size_t i = top; i < h.n && y < 6 + rows; i++, y++)
				put_line(y, 0, h.v[i].line, i == sel);
		}
		y = 6 + rows;
		put_line(y, 0, "-----SCROLL DOWN-----", false);
		put_line(y + 1, 0, "Clear History...", sel == h.n);
		refresh();

		int ch = getch();
		if (ch == ERR) {   /* periodic refresh */
			hv_load(&h);
			continue;
		}
		if (ch == KEY_ESC)
			break;
		if (ch == KEY_CTRL_N) {
			timeout(-1);
			command_line();
			timeout(2000);
			hv_load(&h);
			continue;
		}
		if (ch == 'r') {
			hv_load(&h);
			continue;
		}
		follow = false;
		if (ch == KEY_UP && sel > 0)
			sel--;
		else if (ch == KEY_DOWN && sel < h.n)
			sel++;
		else if (ch == KEY_PPAGE)
			sel = sel > (size_t)rows ? sel - (size_t)rows : 0;
		else if (ch == KEY_NPAGE)
			sel = sel + (size_t)rows < h.n ? sel + (size_t)rows : h.n;
		else if (ch == KEY_HOME)
			sel = 0;
		else if (ch == KEY_END)
			sel = h.n;
		else if (is_enter(ch)) {
			timeout(-1);
			if (sel == h.n) {
				if (confirm("Clear the WAN Event History?")) {
					struct strbuf b;
					sb_init(&b);
					fetch("clear log", &b);
					sb_free(&b);
					follow = true;
				}
			} else if (sel < h.n) {
				show_detail(&h.v[sel]);
			}
			timeout(2000);
			hv_load(&h);
		}
		if (h.n && sel == h.n - 1)
			follow = true;
	}
	timeout(-1);
	hv_free(&h);
}

/* ---- the menus ---- */

static void quick_view_menu(void)
{
	static const char *const items[] = { "VPN Quick View" };
	for (;;) {
		int c = menu_list("Quick View", items, 1);
		if (c == -1)
			return;
		if (c == MENU_CMDLINE)
			command_line();
		else
			vpn_quick_view();
	}
}

static void stats_menu(void)
{
	static const char *const items[] = { "WAN Event History" };
	for (;;) {
		int c = menu_list("Statistics & Logs", items, 1);
		if (c == -1)
			return;
		if (c == MENU_CMDLINE)
			command_line();
		else
			wan_event_history();
	}
}

int menu_main(const char *sock)
{
	static const char *const items[] = { "Quick View", "Statistics & Logs",
					     "Command Line (Ctrl-N)", "Exit" };
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "ikegate: the menu needs a terminal\n");
		return 2;
	}
	g_sock = sock;
	setlocale(LC_ALL, "");
	set_escdelay(25);
	if (!initscr()) {
		fprintf(stderr, "ikegate: cannot initialise the terminal\n");
		return 1;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	for (;;) {
		int c = menu_list("Main Menu", items, 4);
		if (c == -1 || c == 3)
			break;
		if (c == 0)
			quick_view_menu();
		else if (c == 1)
			stats_menu();
		else
			command_line();
	}
	endwin();
	return 0;
}

#endif
