/** A rectangle of pixels: top-left corner and size. */
export interface Rect { x: number; y: number; width: number; height: number }
