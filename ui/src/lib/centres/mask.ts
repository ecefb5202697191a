// What a district's map dims: everything but its own area — the world with the area's outer
// rings cut out, drawn as a dark veil over the features outside it.

/** The veil for `area`: one polygon, the world's ring with each of the area's as a hole. */
export function maskOf(area: GeoJSON.MultiPolygon): GeoJSON.FeatureCollection {
  const world = [[-180, -85], [180, -85], [180, 85], [-180, 85], [-180, -85]];
  const holes = area.coordinates.map((polygon) => polygon[0]).filter((ring) => ring && ring.length >= 4);
  return {
    type: 'FeatureCollection',
    features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [world, ...holes] } }],
  };
}
