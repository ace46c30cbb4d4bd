namespace FlipGuard.Studies;

/// <summary>What a study run did: how much it computed and how much it found already done.</summary>
public sealed record StudyRunResult(string Directory, string Database, int Models, int ModelsTrained, int ModelsReused, int AnalysesRun, int AnalysesReused, double Seconds);
