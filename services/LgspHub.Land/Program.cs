using LgspHub.Land;
using LgspHub.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAgencyDatabase<LandDb>(LandApi.Agency);
builder.AddMessaging(LandApi.Agency);
builder.Services.AddHttpClient<PopulationClient>(http => http.BaseAddress = new Uri(builder.Configuration["Gateway:Url"] ?? "http://127.0.0.1:5080"));
builder.Services.AddOpenApi();

var app = builder.Build();
await app.InitializeDatabaseAsync<LandDb>(LandDb.Seed);
app.MapDefaultEndpoints();
app.MapLandApi();
app.Run();
