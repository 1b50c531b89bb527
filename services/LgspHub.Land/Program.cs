using LgspHub.AgencyDefaults;
using LgspHub.Land;
using LgspHub.Messaging;
using LgspHub.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgencyDefaults();
builder.AddAgencyDatabase<LandDb>(LandApi.Agency);
builder.AddMessaging(LandApi.Agency);
builder.AddGatewayClient<PopulationClient>();
builder.AddAgencyOpenApi();

var app = builder.Build();
await app.InitializeDatabaseAsync<LandDb, Parcel>(LandDb.Seed);
app.MapAgencyEndpoints();
app.MapLandApi();
app.Run();
