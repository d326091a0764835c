/* Opens newlib's semihosting stdio before main, so an application that never calls
 * board_init() (as X-CUBE-AI examples do not) can printf under QEMU. */
void initialise_monitor_handles(void);

__attribute__((constructor)) static void open_semihosting_console(void)
{
    initialise_monitor_handles();
}
