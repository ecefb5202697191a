//! The sim's video platform as a service of the city: started (again on the same port after a
//! stop, as a real platform comes back), stopped, and its port for the engine's config.

use std::net::SocketAddr;

use super::SimCity;

impl SimCity {
    /// Starts (or restarts, on its earlier port) the video platform: every camera's MJPEG
    /// streams. `port` 0 picks one the first time.
    pub async fn start_video(&self, port: u16) -> std::io::Result<SocketAddr> {
        self.stop_video().await;
        let port = self
            .video
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .unwrap_or(port);
        let service = crate::video::serve(port).await?;
        let addr = service.addr;
        *self.video.lock().unwrap_or_else(|p| p.into_inner()) = (Some(addr.port()), Some(service));
        Ok(addr)
    }

    /// The video platform's port, once it has run.
    pub fn video_port(&self) -> Option<u16> {
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
