using LgspHub.CivilStatus.Dossiers;

namespace LgspHub.CivilStatus.Tests;

public class DossierTests
{
    private static readonly DateTimeOffset Submitted = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    private static Dossier Birth() =>
        Dossier.Submit(DossierKind.Birth, Guid.NewGuid(), "{}", "", "", null, Submitted, TimeSpan.FromDays(5));

    private static void CompleteAll(Dossier dossier, DateTimeOffset at)
    {
        foreach (var step in Dossier.Plans[dossier.Kind])
            dossier.Complete(step.Name, "done", at);
    }

    [Fact]
    public void A_dossier_completes_on_time_when_every_step_completes_before_the_deadline()
    {
        var dossier = Birth();

        CompleteAll(dossier, Submitted.AddHours(1));

        Assert.Equal(DossierState.Completed, dossier.State);
        Assert.True(dossier.OnTime);
        Assert.Equal(Submitted.AddHours(1), dossier.EndedAt);
    }

    [Fact]
    public void A_dossier_completed_after_its_deadline_is_late()
    {
        var dossier = Birth();

        CompleteAll(dossier, Submitted.AddDays(6));

        Assert.Equal(DossierState.Completed, dossier.State);
        Assert.False(dossier.OnTime);
    }

    [Fact]
    public void A_rejection_closes_the_dossier_with_its_reason_and_later_events_change_nothing()
    {
        var dossier = Birth();

        dossier.Reject("parents-verification", "The mother's personal ID is not in the population register.", Submitted);
        CompleteAll(dossier, Submitted.AddMinutes(1));

        Assert.Equal(DossierState.Rejected, dossier.State);
        Assert.Equal("The mother's personal ID is not in the population register.", dossier.Reason);
        Assert.Null(dossier.OnTime);
        Assert.All(dossier.Steps.Where(s => s.Name != "parents-verification"), s => Assert.Equal(StepState.Pending, s.State));
    }

    [Fact]
    public void A_failed_step_shows_until_its_event_is_replayed_and_then_the_dossier_completes()
    {
        var dossier = Birth();
        dossier.Complete("parents-verification", "ok", Submitted);
        dossier.Complete("birth-registration", "KS-20401-2026-000001", Submitted);
        dossier.Complete("personal-id-and-residence", "049226000001", Submitted);

        dossier.Fail("health-insurance-card", "health-insurance could not process ChildPersonalIdIssued", Submitted);
        Assert.Equal(DossierState.Failed, dossier.State);
        Assert.Equal("health-insurance-card", dossier.CurrentStep?.Name);

        dossier.Complete("health-insurance-card", "TE1499226000001", Submitted.AddMinutes(5));
        Assert.Equal(DossierState.Completed, dossier.State);
        Assert.Null(dossier.Reason);
    }

    [Fact]
    public void A_late_verdict_or_fault_never_undoes_a_completed_step()
    {
        var dossier = Birth();
        dossier.Complete("parents-verification", "ok", Submitted);

        dossier.Reject("parents-verification", "stale verdict", Submitted.AddMinutes(1));
        dossier.Fail("parents-verification", "stale fault", Submitted.AddMinutes(1));
        dossier.Reject("no-such-step", "unknown", Submitted.AddMinutes(1));

        Assert.Equal(StepState.Completed, dossier.Steps.Single(s => s.Name == "parents-verification").State);
        Assert.Equal(DossierState.InProgress, dossier.State);
    }

    [Fact]
    public void Every_change_moves_the_concurrency_version_and_a_no_op_does_not()
    {
        var dossier = Birth();
        var version = dossier.Version;

        dossier.Complete("parents-verification", "ok", Submitted);
        var afterChange = dossier.Version;
        dossier.Complete("parents-verification", "ok again", Submitted);

        Assert.True(afterChange > version);
        Assert.Equal(afterChange, dossier.Version);
    }
}
