/* cli.h — the command line (DESIGN §4): options, verbs, messages on
 * stderr, exit codes from <sysexits.h>.  The only layer that prints. */
#ifndef KAOPING_CLI_H
#define KAOPING_CLI_H

int kp_cli_main(int argc, char **argv);

#endif
