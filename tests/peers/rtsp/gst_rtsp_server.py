"""An independent RTSP server for the interop test: GStreamer's gst-rtsp-server (Debian
gir1.2-gst-rtsp-server-1.0), serving test patterns that CityWall did not encode.

  /mjpeg    videotestsrc ! jpegenc ! rtpjpegpay      (RFC 2435)
  /h264     videotestsrc ! x264enc ! rtph264pay      (I and P frames, a 1 s GOP)

Both behind basic authentication, as a centre's NVR is: user "duty", the password from argv[2].

Usage: gst_rtsp_server.py PORT PASSWORD
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

SOURCE = ("videotestsrc is-live=true pattern=ball ! "
          "video/x-raw,format=I420,width=320,height=180,framerate=12/1 ! ")
MJPEG = SOURCE + "jpegenc quality=70 ! rtpjpegpay name=pay0 pt=26 )"
H264 = (SOURCE + "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=12 "
        "bitrate=300 ! video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1 )")


def main():
    port, password = sys.argv[1], sys.argv[2]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    mounts = server.get_mount_points()
    for path, launch in (("/mjpeg", MJPEG), ("/h264", H264)):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch("( " + launch)
        factory.set_shared(True)
        factory.add_role_from_structure(Gst.Structure.from_string(
            "duty, media.factory.access=(boolean)true, media.factory.construct=(boolean)true")[0])
        mounts.add_factory(path, factory)
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "duty")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic("duty", password), token)
    server.set_auth(auth)
    if server.attach(None) == 0:
        sys.exit("cannot listen on 127.0.0.1:" + port)
    print("ready", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
