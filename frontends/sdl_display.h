/* sdl_display.h — shared by the SDL back end's files (sdl_*.c, built only with SDL2).
 *
 * Contract: sdl_key_to_set2() maps an SDL_Scancode to the i8042 key code (a set-2 make
 * code, 0xE0xx for extended keys, or the i8042's Pause / Print Screen codes); 0 means the
 * key has no PC/AT equivalent and is dropped.
 */
#ifndef VMM86_FRONTENDS_SDL_DISPLAY_H
#define VMM86_FRONTENDS_SDL_DISPLAY_H

#include <stdint.h>

uint16_t sdl_key_to_set2(int sdl_scancode);

#endif
