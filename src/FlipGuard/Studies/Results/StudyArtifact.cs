namespace FlipGuard.Studies.Results;

/// <summary>A file an analysis left for one model (a PNG chart), path relative to the study folder so the folder can move.</summary>
public sealed record StudyArtifact(string RelativePath, string Caption);
