/* The lab (design.md §6): entry point of `ikegate lab ...`. */
#ifndef IKG_LAB_H
#define IKG_LAB_H

/* argv[0] is "lab", argv[1] the sub-command as a full word ("list" or "run"), then the
 * scenario name and any further arguments exactly as the user typed them. Returns the process
 * exit code (0 ok, 1 failure, 2 usage). */
int lab_main(int argc, char **argv);

#endif
