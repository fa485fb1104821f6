package arm

// MaxInstances is the scan's limit on resource instances, for the tests outside the package.
const MaxInstances = maxInstances
