/** Every built-in image, in the order their patterns are tried. */
import { agnhostImage, pauseImage, podnetImage } from './agnhost.js';
import { nginxImage } from './nginx.js';
import { tomcatImage } from './tomcat.js';
import type { BuiltinImage } from './types.js';

export const BUILTIN_IMAGES: readonly BuiltinImage[] = [agnhostImage, pauseImage, podnetImage, nginxImage, tomcatImage];
export const builtinById = (id: string): BuiltinImage | undefined => BUILTIN_IMAGES.find((b) => b.id === id);
