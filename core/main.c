/* main.c — the kaoping program: everything is in the CLI layer. */
#include "kaoping/cli.h"

int main(int argc, char **argv)
{
	return kp_cli_main(argc, argv);
}
