//! The sim's video platform as a service of the city: started (again on the same port after a
//! stop, as a real platform comes back), stopped, and its port for the engine's config.

use std::net::SocketAddr;

use super::SimCity;

/// The video platform's HTTP and RTSP ports once it has run, and the service while it runs.
pub(super) type VideoPlatform = (Option<(u16, u16)>, Option<crate::video::VideoService>);

impl SimCity {
    /// Starts (or restarts, on its earlier ports) the video platform: every camera's streams,
    /// MJPEG over HTTP on `port` and RTSP on the port after it. `port` 0 picks both the first
    /// time. Returns the HTTP and the RTSP address.
    pub async fn start_video(&self, port: u16) -> std::io::Result<(SocketAddr, SocketAddr)> {
        self.stop_video().await;
        let earlier = self.video.lock().unwrap_or_else(|p| p.into_inner()).0;
        let (port, rtsp_port) = earlier.unwrap_or(match port {
            0 => (0, 0),
            p => (p, p.checked_add(1).unwrap_or(0)),
        });
        let service = crate::video::serve(port, rtsp_port).await?;
        let addrs = (service.addr, service.rtsp_addr);
        *self.video.lock().unwrap_or_else(|p| p.into_inner()) =
            (Some((addrs.0.port(), addrs.1.port())), Some(service));
        Ok(addrs)
    }

    /// The video platform's HTTP and RTSP ports, once it has run.
    pub fn video_ports(&self) -> Option<(u16, u16)> {
        self.video.lock().unwrap_or_else(|p| p.into_inner()).0
    }

    /// Stops the video platform: its port refuses connections and every stream ends.
    pub async fn stop_video(&self) {
        let service = self
            .video
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .take();
        if let Some(service) = service {
            super::halt(service.stop, service.task).await;
        }
    }
}
