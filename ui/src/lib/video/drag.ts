// Dragging a camera onto a video tile: a search hit or a camera's detail carries the camera's id
// and name under our own type; a tile takes only that type, and only an id it can use.

export const CAMERA_TYPE = 'application/x-citywall-camera';

export interface DraggedCamera {
  id: string;
  name: string;
}

/** Starts dragging `camera` (a search hit, a camera's detail). */
export function dragCamera(e: DragEvent, camera: DraggedCamera) {
  if (!e.dataTransfer) return;
  e.dataTransfer.setData(CAMERA_TYPE, JSON.stringify(camera));
  e.dataTransfer.setData('text/plain', camera.name);
  e.dataTransfer.effectAllowed = 'copy';
}

/** Whether a drag carries a camera (while dragging, only the types can be read). */
export const carriesCamera = (e: DragEvent) => Boolean(e.dataTransfer?.types.includes(CAMERA_TYPE));

/** The camera a drop carries; `null` for anything else or a malformed one. */
export function droppedCamera(data: string | undefined | null): DraggedCamera | null {
  if (!data) return null;
  try {
    const c = JSON.parse(data) as Partial<DraggedCamera>;
    if (typeof c.id !== 'string' || c.id.length === 0 || c.id.length > 128) return null;
    return { id: c.id, name: typeof c.name === 'string' && c.name ? c.name.slice(0, 80) : c.id };
  } catch {
    return null;
  }
}
