namespace FlipGuard.Data.Sources;

/// <summary>A file published by a dataset's authors together with the SHA-256 it must have, so downloads are verified.</summary>
/// <param name="FileName">Name to store it under (also the last segment of the URL).</param>
/// <param name="Url">Where it is published.</param>
/// <param name="Sha256">Expected SHA-256, lowercase hex.</param>
public sealed record RemoteFile(string FileName, Uri Url, string Sha256);
