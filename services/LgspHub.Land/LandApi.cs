using LgspHub.Contracts;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Land;

public static class LandApi
{
    public const string Agency = "land";

    public static IEndpointRouteBuilder MapLandApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi($"/api/{Agency}/openapi/{{documentName}}.json");
        var api = app.MapGroup($"/api/{Agency}").WithTags("Land");

        api.MapGet("/parcels/{communeCode}/{mapSheet:int}/{parcelNumber:int}", GetParcel)
            .WithSummary("Read a parcel by commune, map sheet and parcel number");
        api.MapGet("/owners/{personalId}/parcels", GetParcelsOfOwner)
            .WithSummary("List the parcels whose land-use right belongs to a citizen");
        api.MapTransferApi();
        return app;
    }

    private static async Task<Results<Ok<ParcelResponse>, ProblemHttpResult>> GetParcel(
        string communeCode, int mapSheet, int parcelNumber, LandDb db, CancellationToken cancellationToken)
    {
        var parcel = await db.Parcels.AsNoTracking().SingleOrDefaultAsync(
            p => p.CommuneCode == communeCode && p.MapSheet == mapSheet && p.ParcelNumber == parcelNumber, cancellationToken);
        return parcel is null
            ? ApiProblems.NotFound("No parcel has this commune, map sheet and parcel number.")
            : TypedResults.Ok(ParcelResponse.From(parcel));
    }

    private static async Task<Results<Ok<ParcelResponse[]>, ValidationProblem>> GetParcelsOfOwner(
        string personalId, LandDb db, CancellationToken cancellationToken)
    {
        if (!PersonalId.TryParse(personalId, out var id))
            return ApiProblems.InvalidPersonalId();
        var parcels = await db.Parcels.AsNoTracking()
            .Where(p => p.OwnerPersonalId == id)
            .OrderBy(p => p.CommuneCode).ThenBy(p => p.MapSheet).ThenBy(p => p.ParcelNumber)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(parcels.Select(ParcelResponse.From).ToArray());
    }
}

public sealed record ParcelResponse(
    string CommuneCode, int MapSheet, int ParcelNumber, int AreaSquareMetres, string LandUse,
    string CertificateNumber, string OwnerPersonalId, string OwnerName, bool AwaitingInheritance)
{
    public static ParcelResponse From(Parcel p) =>
        new(p.CommuneCode, p.MapSheet, p.ParcelNumber, p.AreaSquareMetres, p.LandUse, p.CertificateNumber, p.OwnerPersonalId.Value, p.OwnerName,
            p.InheritanceDossierId is not null);
}
