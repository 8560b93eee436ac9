//! Why reading an operator's file failed, in the words of the system's own
//! messages ("no such file or directory", "permission denied"), for start-up
//! errors that name the file beside the reason.

use std::io;

/// The reason `e` gives for a failed open or read, in lowercase.
///
/// `io::ErrorKind`'s own wording ("entity not found") does not say what an
/// operator needs to fix; this says it as `ls` and `cat` would.
pub fn reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::IsADirectory => "is a directory".to_owned(),
        io::ErrorKind::NotADirectory => "not a directory".to_owned(),
        io::ErrorKind::InvalidData => "not UTF-8 text".to_owned(),
        io::ErrorKind::AddrInUse => "address already in use".to_owned(),
        io::ErrorKind::AddrNotAvailable => "address not available on this host".to_owned(),
        kind => kind.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::reason;

    #[test]
    fn missing_unreadable_and_directory_paths_are_named_as_the_system_names_them() {
        let missing = std::fs::read("/nonexistent-txveil/file").unwrap_err();
        assert_eq!(reason(&missing), "no such file or directory");
        let dir = std::fs::read_to_string(std::env::temp_dir()).unwrap_err();
        assert_eq!(reason(&dir), "is a directory");
        let denied = std::io::Error::from_raw_os_error(13);
        assert_eq!(reason(&denied), "permission denied");
        let busy = std::io::Error::from_raw_os_error(98);
        assert_eq!(reason(&busy), "address already in use");
    }
}
