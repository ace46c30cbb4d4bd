namespace FlipGuard.Data.Sources;

/// <summary>Progress of one file's download, reported so the CLI can draw a progress bar without the library printing.</summary>
/// <param name="FileName">The file being downloaded.</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">Expected size, when the server says.</param>
public sealed record DownloadProgress(string FileName, long BytesReceived, long? TotalBytes);
