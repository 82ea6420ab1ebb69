//! What one commit changed in one file: the file's text in each parent and in
//! the commit. Attribution compares declarations between them.

/// One file a commit changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    pub path: String,
    /// The file's text in each parent (`None` where a parent lacks it). A merge
    /// lists only files that differ from every parent.
    pub parents: Vec<Option<String>>,
    /// `None` when the commit deleted the file.
    pub new: Option<String>,
}
