/**
 * English messages for zod/mini, which registers no locale by itself (classic zod registers English
 * on first use). Without it, zod's own messages ("Invalid input: expected string, received number")
 * would read "Invalid input". Imported for its effect by every module that builds a zod/mini schema.
 */
import { config } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

config(en());
