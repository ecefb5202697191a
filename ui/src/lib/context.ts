// The wall for the components under App: set once there, read by each component that needs it.

import { getContext, setContext } from 'svelte';
import type { Wall } from './wall.svelte';

const KEY = Symbol('citywall.wall');

export const setWall = (wall: Wall) => setContext(KEY, wall);
export const getWall = (): Wall => getContext<Wall>(KEY);
/** For a component mounted outside App's tree (a map popup). */
export const wallContext = (wall: Wall) => new Map<unknown, unknown>([[KEY, wall]]);
