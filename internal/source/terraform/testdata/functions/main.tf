locals {
  settings = { sku = "Premium", zones = ["1", "2"] }
}

resource "azurerm_api_management" "functions" {
  name = "apim-functions"
  tags = {
    try          = try(local.settings.missing, "fallback")
    can          = tostring(can(local.settings.missing))
    coalesce     = coalesce("", "first-non-empty")
    lookup       = lookup(local.settings, "sku", "none")
    merge        = jsonencode(merge({ a = 1 }, { b = 2 }))
    length       = tostring(length(local.settings.zones))
    length_str   = tostring(length("four"))
    contains     = tostring(contains(local.settings.zones, "2"))
    keys         = join(",", keys(local.settings))
    values       = jsonencode(values({ x = "v" }))
    toset        = join(",", toset(["b", "a", "b"]))
    tolist       = jsonencode(tolist(["x"]))
    tomap        = jsonencode(tomap({ k = "v" }))
    jsondecode   = jsondecode("{\"type\":\"SystemAssigned\"}").type
    format       = format("%s-%03d", "apim", 7)
    lower        = lower("ABC")
    upper        = upper("abc")
    replace      = replace("a-b-c", "-", "_")
    replace_re   = replace("apim01", "/[0-9]+/", "")
    split        = jsonencode(split(",", "a,b"))
    concat       = jsonencode(concat(["a"], ["b"]))
    flatten      = jsonencode(flatten([["a"], ["b", ["c"]]]))
    distinct     = jsonencode(distinct(["a", "a", "b"]))
    element      = element(["a", "b", "c"], 4)
    startswith   = tostring(startswith("SystemAssigned", "System"))
    endswith     = tostring(endswith("SystemAssigned", "Assigned"))
    trimspace    = trimspace("  padded  ")
    substr       = substr("SystemAssigned", 0, 6)
    zipmap       = jsonencode(zipmap(["a"], ["b"]))
    one          = one(["only"])
    range        = jsonencode(range(3))
    for_expr     = join(",", [for z in local.settings.zones : "zone-${z}"])
    splat        = join(",", [{ n = "x" }, { n = "y" }][*].n)
    file         = trimspace(file("${path.module}/note.txt"))
    file_rel     = trimspace(file("note.txt"))
    templatefile = templatefile("${path.module}/greeting.tftpl", { name = "ops" })
    index        = tostring(index(["a", "b", "c"], "c"))
    sum          = tostring(sum([1, 2, 3.5]))
  }
}
