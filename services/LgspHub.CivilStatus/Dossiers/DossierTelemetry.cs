using System.Diagnostics;

namespace LgspHub.CivilStatus.Dossiers;

/// <summary>
/// A span each time a dossier changes state (Completed, Rejected, Failed, InProgress again after a
/// replay), spanning submission to now: the operators' dossier figures are derived from these spans.
/// Tags carry the kind, state and on-time flag, never the people in the dossier.
/// </summary>
public static class DossierTelemetry
{
    public const string SpanName = "dossier state";

    private static readonly ActivitySource Source = new("LgspHub.CivilStatus");

    public static void StateChanged(Dossier dossier, DateTimeOffset now)
    {
        using var activity = Source.StartActivity(SpanName, ActivityKind.Internal, parentContext: default, startTime: dossier.SubmittedAt);
        if (activity is null)
            return;
        activity.SetTag("lgsp.dossier.kind", dossier.Kind.ToString())
            .SetTag("lgsp.dossier.state", dossier.State.ToString())
            .SetTag("lgsp.dossier.on_time", dossier.OnTime)
            .SetTag("lgsp.dossier.id", dossier.Id.ToString());
        if (dossier.State == DossierState.Failed)
            activity.SetStatus(ActivityStatusCode.Error);
        activity.SetEndTime(now.UtcDateTime);
    }
}
