/* selfcopy: "t3q-bootstrap --copy DEST", the init container's command. */
#ifndef T3Q_BOOTSTRAP_SELFCOPY_H
#define T3Q_BOOTSTRAP_SELFCOPY_H

/* argv[0] is "--copy". Returns the exit code. */
int selfcopy_main(int argc, char **argv);

#endif
