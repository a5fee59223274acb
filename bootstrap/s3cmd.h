/* s3cmd: "t3q-bootstrap s3 ls|get|put|rm|stat|mb", for people and tests. */
#ifndef T3Q_BOOTSTRAP_S3CMD_H
#define T3Q_BOOTSTRAP_S3CMD_H

/* argv[0] is "s3". Returns the process exit code. */
int s3cmd_main(int argc, char **argv);

#endif
