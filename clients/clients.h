/* Subcommands of the telly command, one function each. */
#ifndef TELLY_CLIENTS_H
#define TELLY_CLIENTS_H

int telly_demo(int argc, char **argv);

#endif
