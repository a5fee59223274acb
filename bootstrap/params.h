/*
 * params: --pipeline-parameters "a=1;b=2" into the child's environment,
 * without letting a value make a variable of its own.
 *
 * The compiler puts each run parameter into the container's env whole (env
 * P holds the value, ';' and '=' included) and also names it in the
 * ';'-separated list, as Elyra does; KFP substitutes the same text into
 * both. So the list is read left to right, entry by entry: NAME is the
 * text up to the first '='; when NAME is already in the environment and
 * its value V is followed in the list by ';' or the end, exactly V is the
 * value (so a ';' inside V never starts an entry); otherwise the value runs
 * to the next ';', as in bootstrapper.py. A name already set keeps its
 * value (Elyra); an empty value is skipped (Elyra). Names that are not
 * [A-Za-z_][A-Za-z0-9_]*, and names that make a loader or an interpreter
 * run code (LD_*, BASH_ENV, ENV, PYTHONSTARTUP, PYTHONHOME, R_PROFILE*,
 * R_ENVIRON*), are refused with a warning and skipped.
 */
#ifndef T3Q_BOOTSTRAP_PARAMS_H
#define T3Q_BOOTSTRAP_PARAMS_H

/*
 * Calls set(ctx, name, value) for each variable to set; lookup(name) is
 * getenv() or a stand-in. Returns 0, or -1 after logging an entry without
 * '=' (bootstrapper.py fails on one too).
 */
int params_parse(const char *list, const char *(*lookup)(const char *name),
		 void (*set)(void *ctx, const char *name, const char *value),
		 void *ctx);

/*
 * One --pipeline-parameter "NAME=VALUE": NAME up to the first '=', VALUE
 * the rest, whole. Set as an entry of the list is: not over a set name,
 * not when empty, not for a name the list would refuse.
 */
void params_one(const char *arg, const char *(*lookup)(const char *name),
		void (*set)(void *ctx, const char *name, const char *value),
		void *ctx);

#endif
