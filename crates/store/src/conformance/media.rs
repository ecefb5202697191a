//! Photos and video layouts: kept by their bytes, saved, listed, deleted.

use super::features::entry;
use crate::Backend;

pub(super) async fn photos_are_kept_by_their_bytes(store: &dyn Backend) {
    let bytes = b"\xFF\xD8\xFF\xE0 not much of a photo";
    let id = store
        .put_media(bytes, "image/jpeg", &entry("media.upload", ""), 1_000)
        .await
        .expect("media: put");
    assert_eq!(
        store
            .put_media(bytes, "image/jpeg", &entry("media.upload", ""), 1_001)
            .await
            .expect("again"),
        id,
        "media: the same bytes, the same id"
    );
    let photo = store
        .media(&id)
        .await
        .expect("media: get")
        .expect("media: kept");
    assert_eq!(
        (photo.bytes.as_slice(), photo.content_type.as_str()),
        (&bytes[..], "image/jpeg")
    );
    assert!(store.has_media(&id).await.expect("has"));
    assert!(store.media("0000").await.expect("media: unknown").is_none());
}

pub(super) async fn layouts_are_saved_listed_and_deleted(store: &dyn Backend) {
    let body = r#"{"name":"夜班","split":4,"cameras":["C1"]}"#;
    store
        .put_video_layout(
            "夜班",
            Some(body),
            &entry("video.layout.save", "夜班"),
            1_000,
        )
        .await
        .expect("layouts: save");
    assert_eq!(
        store.video_layouts().await.expect("layouts: list"),
        vec![("夜班".to_string(), body.to_string())]
    );
    assert!(store
        .put_video_layout("夜班", None, &entry("video.layout.delete", "夜班"), 2_000)
        .await
        .expect("layouts: delete"));
    assert!(!store
        .put_video_layout("夜班", None, &entry("video.layout.delete", "夜班"), 3_000)
        .await
        .expect("layouts: delete again"));
    assert!(store
        .video_layouts()
        .await
        .expect("layouts: list")
        .is_empty());
}
