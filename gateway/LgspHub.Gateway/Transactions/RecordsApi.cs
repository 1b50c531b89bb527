using LgspHub.Contracts;
using LgspHub.Gateway.Requests;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Gateway.Transactions;

/// <summary>Transaction records and the personal-data audit, for operators and auditors with the right.</summary>
public static class RecordsApi
{
    public static IEndpointRouteBuilder MapRecordsApi(this IEndpointRouteBuilder app)
    {
        var records = app.MapGroup("/lgsp").RequireAuthorization(Operation.RightsPolicy).WithTags("Records");

        records.MapGet("/transactions", ListTransactions)
            .WithMetadata(Operation.Hub("read-transactions"))
            .WithSummary("Transaction records, newest first, by time range, consumer, service and outcome");
        records.MapGet("/audit", ListAudit)
            .WithMetadata(Operation.Hub("read-audit"))
            .WithSummary("Accesses to personal data, newest first; give a personal ID to find every access to that person");
        return app;
    }

    private static async Task<Results<Ok<TransactionRecord[]>, ValidationProblem>> ListTransactions(
        GatewayDb db, DateTimeOffset? from, DateTimeOffset? to, string? consumer, string? service, Outcome? outcome, int? limit, CancellationToken cancellationToken)
    {
        if (outcome is { } wanted && !Enum.IsDefined(wanted))
            return ApiProblems.Invalid("outcome", $"An outcome is one of {string.Join(", ", Enum.GetNames<Outcome>())}.");
        var query = db.Transactions.AsNoTracking();
        // Stored as UTC ticks: a filter given with another offset is turned to UTC first.
        if (from?.ToUniversalTime() is { } start)
            query = query.Where(r => r.RequestInAt >= start);
        if (to?.ToUniversalTime() is { } end)
            query = query.Where(r => r.RequestInAt < end);
        if (consumer is not null)
            query = query.Where(r => r.Consumer == consumer);
        if (service is not null)
            query = query.Where(r => r.Service == service);
        if (outcome is not null)
            query = query.Where(r => r.Outcome == outcome);
        return TypedResults.Ok(await query.OrderByDescending(r => r.RequestInAt).Take(Math.Clamp(limit ?? 100, 1, 1_000)).ToArrayAsync(cancellationToken));
    }

    private static async Task<Results<Ok<AuditEntry[]>, ValidationProblem>> ListAudit(
        GatewayDb db, SubjectHasher hasher, string? personalId, string? consumer, DateTimeOffset? from, DateTimeOffset? to, int? limit, CancellationToken cancellationToken)
    {
        if (personalId is not null && !LgspHub.Contracts.PersonalId.IsWellFormed(personalId))
            return ApiProblems.InvalidPersonalId();
        var query = db.Audit.AsNoTracking();
        if (personalId is not null)
        {
            var subject = hasher.Hash(personalId);
            query = query.Where(a => a.SubjectHash == subject);
        }
        if (consumer is not null)
            query = query.Where(a => a.Consumer == consumer);
        if (from?.ToUniversalTime() is { } start)
            query = query.Where(a => a.At >= start);
        if (to?.ToUniversalTime() is { } end)
            query = query.Where(a => a.At < end);
        return TypedResults.Ok(await query.OrderByDescending(a => a.At).Take(Math.Clamp(limit ?? 100, 1, 1_000)).ToArrayAsync(cancellationToken));
    }
}
